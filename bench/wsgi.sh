#!/usr/bin/env bash
# bench/wsgi.sh: Python WSGI apps under hornet's wsgi app plugin against
# Gunicorn and uWSGI, on this machine, in one run, with wrk. Two apps, the
# same files for every server:
#   hello  bench/wsgi_hello.py (plain WSGI: a list of one bytes)
#   flask  bench/wsgi_flask.py (one Flask route)
# and these servers, all with WORKERS processes (and GTHREADS threads each
# where they have threads):
#   hornet-sync       hornet -k sync, the wsgi app        (closes per request)
#   hornet-gthread    hornet -k gthread --threads GTHREADS (keep-alive)
#   gunicorn-sync     gunicorn -k sync                     (closes per request)
#   gunicorn-gthread  gunicorn -k gthread --threads GTHREADS (keep-alive)
#   uwsgi             Debian's uwsgi + python3 plugin, --http11-socket
#                     (keep-alive), --processes WORKERS --threads GTHREADS
#   uwsgi-1t          the same without threads: uWSGI's fastest shape here
# Reports requests/s, p99, server CPU per request, and the ratios the wsgi
# app is held to: hornet's best against uWSGI's best on hello, and hornet
# gthread against Gunicorn gthread on Flask. Servers run one at a time and
# are stopped by PID however the script exits. Knobs: see bench/README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HORNET=${HORNET:-$here/../build/bin/hornet}
GUNICORN=${GUNICORN:-/usr/bin/gunicorn}
UWSGI=${UWSGI:-/usr/bin/uwsgi}
WRK=${WRK:-wrk}
WORKERS=${WORKERS:-2}
GTHREADS=${GTHREADS:-4}  # handler threads per worker, every threaded server
THREADS=${THREADS:-2}    # wrk threads
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
APPS=${APPS:-hello flask}
SERVERS=${SERVERS:-hornet-sync hornet-gthread gunicorn-sync gunicorn-gthread uwsgi uwsgi-1t}
KEEP=${KEEP:-}

source "$here/lib.sh"
bench_init

module_of() { [[ $1 == hello ]] && echo wsgi_hello || echo wsgi_flask; }

hornet_config() {  # APP: a config file serving bench/wsgi_APP.py:app
  local file=$tmp/hornet-$1.yaml
  printf 'app: wsgi\napp_config:\n  module: "%s:app"\n  pythonpath: "%s"\n' "$(module_of "$1")" "$here" >"$file"
  echo "$file"
}

uwsgi_at() {  # NAME APP THREADS
  local at
  at=$(free_port)
  [[ -x $UWSGI ]] || die "no uwsgi at $UWSGI (apt-get install uwsgi uwsgi-plugin-python3)"
  # http11-socket speaks HTTP/1.1 keep-alive itself (2.0.21 has no
  # --http-keepalive for it: that is the http router's); TERM must stop it.
  start_at "$1" "$at" "$UWSGI" --plugin python3 --http11-socket "127.0.0.1:$at" \
    --wsgi-file "$here/$(module_of "$2").py" --callable app --processes "$WORKERS" \
    --threads "$3" --master --disable-logging --die-on-term
}

threads_for() { [[ $1 == *-gthread || $1 == *-async ]] && echo "--threads $GTHREADS" || true; }

serve() {  # SERVER APP
  local server=$1 app=$2 name="$1:$2"
  case $server in
    hornet-*)
      [[ -x $HORNET ]] || die "no hornet binary at $HORNET (build first, or set HORNET=)"
      start "$name" "$WORKERS" "$HORNET" -b 127.0.0.1:0 -w "$WORKERS" -k "${server#hornet-}" \
        $(threads_for "$server") -c "$(hornet_config "$app")" ;;
    gunicorn-*)
      [[ -x $GUNICORN ]] || die "no gunicorn at $GUNICORN (apt-get install gunicorn)"
      # (Gunicorn turns sync with --threads > 1 into gthread: sync gets none.)
      start "$name" "$WORKERS" "$GUNICORN" -b 127.0.0.1:0 -w "$WORKERS" -k "${server#gunicorn-}" \
        $(threads_for "$server") --chdir "$here" "$(module_of "$app"):app" ;;
    uwsgi) uwsgi_at "$name" "$app" "$GTHREADS" ;;
    uwsgi-1t) uwsgi_at "$name" "$app" 1 ;;
    *) die "unknown server '$server'" ;;
  esac
}

names=()
for app in $APPS; do
  for server in $SERVERS; do
    serve "$server" "$app"
    measure "$server:$app" / 'Hello, World!' "$CONNECTIONS"
    stop_pid "$pid"
    names+=("$server:$app")
  done
done

best() {  # APP SERVER...: the name with the most requests/s
  local app=$1 name top="" r
  shift
  for name in "$@"; do
    r=${RPS[$name:$app]:-}
    [[ -n $r ]] || continue
    if [[ -z $top ]] || awk -v a="$r" -v b="${RPS[$top]}" 'BEGIN {exit !(a > b)}'; then top="$name:$app"; fi
  done
  echo "$top"
}

echo
echo "wsgi: $WORKERS workers, $GTHREADS threads where threaded; wrk -t$THREADS -c$CONNECTIONS -d$DURATION"
report_table "${names[@]}"
echo
for app in $APPS; do
  h=$(best "$app" hornet-sync hornet-gthread)
  u=$(best "$app" uwsgi uwsgi-1t)
  [[ -n $h && -n $u ]] && report_ratio "$app, best hornet ($h) / best uwsgi ($u)" "$h" "$u"
  report_ratio "$app, hornet-gthread/gunicorn-gthread" "hornet-gthread:$app" "gunicorn-gthread:$app"
  report_ratio "$app, hornet-sync/gunicorn-sync" "hornet-sync:$app" "gunicorn-sync:$app"
done
