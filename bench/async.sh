#!/usr/bin/env bash
# bench/async.sh: hornet's async worker type against Gunicorn's gevent worker
# (Debian's python3-gevent) and nginx (`return 200`), on this machine, in one
# run, with wrk:
#   hello  hornet's hello app / bench/wsgi_hello.py / nginx's return 200, at
#          HELLO_CONNECTIONS (default "50 400") keep-alive connections: the
#          cost of the server itself; target: hornet >= 90 % of nginx;
#   sleep  hornet's sleep app at 100 ms (a timer on the loop, no thread
#          held) / bench/wsgi_sleep.py (time.sleep, made cooperative by
#          gevent), at SLEEP_CONNECTIONS (default 400): capacity is
#          SLEEP_CONNECTIONS x 10 requests/s; target: hornet >= 90 % of it.
# Every server gets WORKERS processes (default 2: nginx's worker_processes).
# Reports requests/s, p99, server CPU per request and the ratios. Servers run
# one at a time and are stopped by PID however the script exits. Knobs: see
# bench/README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HORNET=${HORNET:-$here/../build/bin/hornet}
GUNICORN=${GUNICORN:-/usr/bin/gunicorn}
NGINX=${NGINX:-/usr/sbin/nginx}
WRK=${WRK:-wrk}
WORKERS=${WORKERS:-2}
THREADS=${THREADS:-2}     # wrk threads
HELLO_CONNECTIONS=${HELLO_CONNECTIONS:-50 400}
SLEEP_CONNECTIONS=${SLEEP_CONNECTIONS:-400}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
SERVERS=${SERVERS:-hornet gevent nginx}
KEEP=${KEEP:-}

source "$here/lib.sh"
bench_init
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# serve SERVER APP: start SERVER on APP (hello, sleep); nginx has hello only.
serve() {
  local server=$1 app=$2 at
  case $server in
    hornet)
      [[ -x $HORNET ]] || die "no hornet binary at $HORNET (build first, or set HORNET=)"
      start "$server-$app" "$WORKERS" "$HORNET" -b 127.0.0.1:0 -w "$WORKERS" -k async \
        --worker-connections 1000 --access-logfile '' "$app" ;;
    gevent)
      [[ -x $GUNICORN ]] || die "no gunicorn at $GUNICORN (apt-get install gunicorn)"
      /usr/bin/python3 -c 'import gevent' 2>/dev/null || die "no gevent (apt-get install python3-gevent)"
      start "$server-$app" "$WORKERS" "$GUNICORN" -b 127.0.0.1:0 -w "$WORKERS" -k gevent \
        --worker-connections 1000 --chdir "$here" "wsgi_$app:app" ;;
    nginx)
      [[ -x $NGINX ]] || die "no nginx at $NGINX (apt-get install nginx-light)"
      at=$(free_port)
      mkdir -p "$tmp/nginx"
      sed -e "s|@PORT@|$at|g" -e "s|@PREFIX@|$tmp/nginx|g" "$here/nginx.conf.in" >"$tmp/nginx/nginx.conf"
      sed -i "s|worker_processes 2;|worker_processes $WORKERS;|" "$tmp/nginx/nginx.conf"
      start_at "$server-$app" "$at" "$NGINX" -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' ;;
    *) die "unknown server '$server' (hornet, gevent, nginx)" ;;
  esac
}

names=()
for server in $SERVERS; do
  serve "$server" hello
  for c in $HELLO_CONNECTIONS; do
    measure "$server-hello-$c" / 'Hello, World!' "$c"
    names+=("$server-hello-$c")
  done
  stop_pid "$pid"
  [[ $server == nginx ]] && continue
  serve "$server" sleep
  for c in $SLEEP_CONNECTIONS; do
    # hornet's sleep app takes ?ms=; the WSGI twin always sleeps 100 ms.
    measure "$server-sleep-$c" '/?ms=100' 'slept 100 ms' "$c"
    names+=("$server-sleep-$c")
  done
  stop_pid "$pid"
done

echo
echo "async: $WORKERS workers each; hello at $HELLO_CONNECTIONS connections, sleep 100 ms at" \
  "$SLEEP_CONNECTIONS connections; wrk -t$THREADS -d$DURATION; load average before the run: $load_before"
report_table "${names[@]}"
echo
for c in $HELLO_CONNECTIONS; do
  report_ratio "hello $c, hornet/nginx" "hornet-hello-$c" "nginx-hello-$c"
  report_ratio "hello $c, hornet/gevent" "hornet-hello-$c" "gevent-hello-$c"
done
for c in $SLEEP_CONNECTIONS; do
  report_ratio "sleep $c, hornet/gevent" "hornet-sleep-$c" "gevent-sleep-$c"
  for server in hornet gevent; do
    [[ -n ${RPS[$server-sleep-$c]:-} ]] || continue
    awk -v s="$server" -v r="${RPS[$server-sleep-$c]}" -v c="$((c * 10))" 'BEGIN {
      printf "sleep, %s: %.1f requests/s of a capacity of %d (%.1f%%)\n", s, r, c, 100 * r / c }'
  done
done
