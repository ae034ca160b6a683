"""The OCI image (packaging/oci/build-image.sh): built from Debian's
packages and the .deb alone (mmdebstrap + buildah, no registry), its config
as promised (non-root user, /usr/bin/hornet as the entrypoint on
/etc/hornet/hornet.yaml, port 8000, a HEALTHCHECK on health_path), and its
filesystem, unpacked by umoci, run the way a runtime would run it: in a
network namespace of its own (a veth pair, a private address inside it
only), a private mount namespace (unshare) with /proc and /dev, chroot,
the image's uid/gid, env and working directory. It serves from the root
namespace over the veth, its HEALTHCHECK command passes inside it, and
fails once hornet is gone; TERM stops it with status 0.

Building the image takes minutes (mmdebstrap fetches ~40 MB of Debian
packages), so it is cached under <build>/oci-cache/KEY, KEY a hash of what
goes in: the .deb's contents (its md5sums and control files, which do not
change with CPack's timestamps) and packaging/oci/. A second run with the
same build reuses it; only the newest key is kept.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile

from harness import HORNET_BIN, Hornet, HornetTestCase, http_get, main, optional
from scaleout import Hosts

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OCI_DIR = os.path.join(ROOT, "packaging", "oci")
BUILD = os.path.dirname(os.path.dirname(os.path.abspath(HORNET_BIN))) if HORNET_BIN else ""
CACHE = os.path.join(BUILD, "oci-cache")


def sh(*argv, timeout=120):
    r = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, argv))}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return r.stdout


def image_key(deb):
    h = hashlib.sha256()
    control = os.path.join(os.path.dirname(deb), "control")
    shutil.rmtree(control, True)
    sh("dpkg-deb", "--control", deb, control)
    for name in sorted(os.listdir(control)):
        with open(os.path.join(control, name), "rb") as f:
            h.update(name.encode() + b"\0" + f.read())
    for name in sorted(os.listdir(OCI_DIR)):
        with open(os.path.join(OCI_DIR, name), "rb") as f:
            h.update(name.encode() + b"\0" + f.read())
    return h.hexdigest()[:20]


def docker_config(archive):
    """The image config of a docker-archive (its manifest names the file)."""
    with tarfile.open(archive) as t:
        manifest = json.load(t.extractfile("manifest.json"))
        return json.load(t.extractfile(manifest[0]["Config"]))["config"]


class OciImageTest(HornetTestCase):
    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest(optional("needs root for chroot and network namespaces"))
        for tool in ("cpack", "mmdebstrap", "buildah", "umoci", "ip", "unshare", "chroot"):
            if not shutil.which(tool):
                self.skipTest(f"{tool} is not installed (scripts/dev installs it)")

    def image(self):
        """(docker-archive path, OCI layout:tag), from the cache or built."""
        debs = os.path.join(self.tmp, "debs")
        sh("cpack", "-G", "DEB", "-B", debs, "--config", os.path.join(BUILD, "CPackConfig.cmake"),
           timeout=300)
        deb = [os.path.join(debs, n) for n in os.listdir(debs) if n.startswith("hornet_")][0]
        version = sh("dpkg-deb", "-f", deb, "Version").strip()
        key = image_key(deb)
        entry = os.path.join(CACHE, key)
        if not os.path.exists(os.path.join(entry, "done")):
            partial = entry + ".partial"
            shutil.rmtree(partial, True)
            sh(os.path.join(OCI_DIR, "build-image.sh"), deb, partial, timeout=900)
            open(os.path.join(partial, "done"), "w").close()
            os.rename(partial, entry)
        for old in os.listdir(CACHE):
            if old != key:
                shutil.rmtree(os.path.join(CACHE, old), True)
        return os.path.join(entry, f"hornet-{version}.docker.tar"), f"{entry}/oci:{version}"

    def test_image_config_and_serving_unpacked(self):
        archive, layout = self.image()
        config = docker_config(archive)
        self.assertEqual(config["User"], "hornet:hornet")
        self.assertEqual(config["Entrypoint"], ["/usr/bin/hornet"])
        self.assertEqual(config["Cmd"], ["-c", "/etc/hornet/hornet.yaml"])
        self.assertIn("8000/tcp", config["ExposedPorts"])
        self.assertEqual(config["Healthcheck"]["Test"], ["CMD-SHELL", "/usr/local/bin/hornet-healthcheck"])

        bundle = os.path.join(self.tmp, "bundle")
        sh("umoci", "unpack", "--image", layout, bundle, timeout=300)
        with open(os.path.join(bundle, "config.json")) as f:
            process = json.load(f)["process"]
        rootfs = os.path.join(bundle, "rootfs")
        uid, gid = process["user"]["uid"], process["user"]["gid"]
        self.assertNotEqual(uid, 0)
        with open(os.path.join(rootfs, "etc", "hornet", "hornet.yaml")) as f:
            self.assertIn("health_path: /healthz", f.read())

        hosts = Hosts(count=1)
        self.addCleanup(hosts.remove)
        hosts.create()
        # As a runtime would: private mounts with /proc and /dev, chroot, the
        # image's user, environment and working directory.
        inside = [f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                  "env", "-i", "-C", process.get("cwd", "/"), *process.get("env", [])]
        script = ('mount -t proc proc "$R/proc" && mount --rbind /dev "$R/dev" && '
                  'exec chroot "$R" setpriv "$@"')
        args = process["args"]
        h = Hornet(args[1:], self.tmp, env={"R": rootfs}, binary=args[0],
                   prefix=["ip", "netns", "exec", hosts.name(1), "unshare", "--mount",
                           "--propagation", "private", "/bin/sh", "-c", script, "sh", *inside])
        self.addCleanup(h.stop)
        h.start()
        h.wait_ready(1)
        self.assertIn("Listening at: http://0.0.0.0:8000", h.log())

        address = hosts.address(1)
        self.assertEqual(http_get(8000, "/", host=address), (200, b"Hello, World!\n"))
        self.assertEqual(http_get(8000, "/healthz", host=address)[0], 200)

        healthcheck = ["ip", "netns", "exec", hosts.name(1), "chroot", rootfs, "setpriv",
                       f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
                       "/bin/sh", "-c", config["Healthcheck"]["Test"][1]]
        self.assertEqual(subprocess.run(healthcheck, timeout=30).returncode, 0)
        h.stop()
        self.assertEqual(h.returncode, 0, h.log())
        self.assertNotEqual(subprocess.run(healthcheck, timeout=30, capture_output=True).returncode, 0)


if __name__ == "__main__":
    main()
