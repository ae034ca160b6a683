#!/usr/bin/env bash
# packaging/oci/build-image.sh DEB OUT: the hornet OCI image, from Debian's
# packages and the hornet .deb only (no registry is asked for anything):
#   1. mmdebstrap: a Debian 12 root of the Essential packages plus the .deb
#      (apt resolves its Depends from Debian's mirror), minus docs and apt's
#      lists; the `hornet` user made first with uid/gid 999, so that runAsUser
#      in packaging/k8s can name it
#   2. buildah: that root as the one layer of an image from scratch; user
#      hornet, entrypoint /usr/bin/hornet, command -c /etc/hornet/hornet.yaml,
#      port 8000, HEALTHCHECK on health_path (packaging/oci/healthcheck)
# Writes OUT/hornet-VERSION.docker.tar (docker/podman load; the docker format
# keeps the HEALTHCHECK) and OUT/oci (an OCI layout, tag VERSION, for umoci
# and skopeo). buildah's storage is OUT/storage, removed at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
deb=$(realpath "$1")
out=$(realpath -m "$2")
version=$(dpkg-deb -f "$deb" Version)
mkdir -p "$out"
rm -rf "$out/oci" "$out/storage" "$out/run" "$out/rootfs.tar"

# The .deb's Depends by name (the first of alternatives, versions dropped):
# mmdebstrap fetches those; the .deb itself is installed by dpkg in the
# root (mmdebstrap 1.3.5 cannot hand a local .deb path to apt in the chroot).
depends=$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/ //g' | paste -sd,)
mmdebstrap --variant=essential --quiet \
  --include="$depends" \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --essential-hook='echo "hornet:x:999:999:hornet:/var/lib/hornet:/usr/sbin/nologin" >> "$1/etc/passwd"' \
  --essential-hook='echo "hornet:x:999:" >> "$1/etc/group"' \
  --essential-hook='echo "hornet:!:19000::::::" >> "$1/etc/shadow"' \
  --customize-hook="cp '$deb' \"\$1/tmp/hornet.deb\"" \
  --customize-hook='chroot "$1" dpkg -i /tmp/hornet.deb && rm "$1/tmp/hornet.deb"' \
  --customize-hook="cp '$here/hornet.yaml' \"\$1/etc/hornet/hornet.yaml\"" \
  --customize-hook="install -m 755 '$here/healthcheck' \"\$1/usr/local/bin/hornet-healthcheck\"" \
  --customize-hook='rm -rf "$1/var/lib/apt/lists/"* "$1/var/cache/apt/"* "$1/var/log/"*.log' \
  bookworm "$out/rootfs.tar"

echo "rootfs: ${SECONDS}s" >&2
b() { buildah --root "$out/storage" --runroot "$out/run" --storage-driver vfs "$@"; }
ctr=$(b from --quiet scratch)
b add --quiet "$ctr" "$out/rootfs.tar" /
b config \
  --user hornet:hornet \
  --workingdir /var/lib/hornet \
  --entrypoint '["/usr/bin/hornet"]' \
  --cmd '-c /etc/hornet/hornet.yaml' \
  --port 8000/tcp \
  --stop-signal TERM \
  --healthcheck 'CMD-SHELL /usr/local/bin/hornet-healthcheck' \
  --healthcheck-interval 10s --healthcheck-timeout 5s --healthcheck-retries 3 \
  --healthcheck-start-period 5s \
  --label org.opencontainers.image.title=hornet \
  --label org.opencontainers.image.version="$version" \
  "$ctr"
echo "layer: ${SECONDS}s" >&2
b commit --quiet --format docker --rm "$ctr" "localhost/hornet:$version" >/dev/null
rm -f "$out/hornet-$version.docker.tar"
b push "localhost/hornet:$version" "docker-archive:$out/hornet-$version.docker.tar:localhost/hornet:$version"
b push --format oci "localhost/hornet:$version" "oci:$out/oci:$version"
echo "image: ${SECONDS}s" >&2
b rmi --all >/dev/null
rm -rf "$out/storage" "$out/run" "$out/rootfs.tar"
echo "$out/hornet-$version.docker.tar"
echo "$out/oci:$version"
