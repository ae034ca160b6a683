#!/usr/bin/env bash
# bench/gthread.sh: hornet's gthread worker type against Gunicorn's gthread
# (same workers, same threads) on this machine, in one run, with wrk:
#   hello  the hello app / bench/wsgi_hello.py, HELLO_CONNECTIONS keep-alive
#          connections: the cost of the server itself;
#   close  the same hello with Connection: close, a connection per request:
#          the cost of accepting, and how the workers share new connections;
#   sleep  the sleep app at 100 ms / bench/wsgi_sleep.py, SLEEP_CONNECTIONS
#          connections: how close each gets to the theoretical capacity,
#          workers x threads x 10 requests/s.
# Reports requests/s, p99, server CPU per request and hornet/gunicorn, and
# the sleep runs against capacity. Servers run one at a time and are stopped
# by PID however the script exits. Knobs: see bench/README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HORNET=${HORNET:-$here/../build/bin/hornet}
GUNICORN=${GUNICORN:-/usr/bin/gunicorn}
WRK=${WRK:-wrk}
WORKERS=${WORKERS:-2}
GTHREADS=${GTHREADS:-16}  # handler threads per worker, both servers
THREADS=${THREADS:-2}     # wrk threads
HELLO_CONNECTIONS=${HELLO_CONNECTIONS:-50}
SLEEP_CONNECTIONS=${SLEEP_CONNECTIONS:-100}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
SERVERS=${SERVERS:-hornet gunicorn}
KEEP=${KEEP:-}

source "$here/lib.sh"
bench_init

# serve SERVER APP: start SERVER's gthread worker type on APP (hello, sleep).
serve() {
  local server=$1 app=$2
  case $server in
    hornet)
      [[ -x $HORNET ]] || die "no hornet binary at $HORNET (build first, or set HORNET=)"
      start "$server-$app" "$WORKERS" "$HORNET" -b 127.0.0.1:0 -w "$WORKERS" -k gthread \
        --threads "$GTHREADS" --access-logfile '' "$app" ;;
    gunicorn)
      [[ -x $GUNICORN ]] || die "no gunicorn at $GUNICORN (apt-get install gunicorn)"
      start "$server-$app" "$WORKERS" "$GUNICORN" -b 127.0.0.1:0 -w "$WORKERS" -k gthread \
        --threads "$GTHREADS" --chdir "$here" "wsgi_$app:app" ;;
    *) die "unknown server '$server' (hornet, gunicorn)" ;;
  esac
}

for server in $SERVERS; do
  serve "$server" hello
  measure "$server-hello" / 'Hello, World!' "$HELLO_CONNECTIONS"
  measure "$server-close" / 'Hello, World!' "$HELLO_CONNECTIONS" -H 'Connection: close'
  stop_pid "$pid"
  serve "$server" sleep
  # hornet's sleep app takes ?ms=; the WSGI twin always sleeps 100 ms.
  measure "$server-sleep" '/?ms=100' 'slept 100 ms' "$SLEEP_CONNECTIONS"
  stop_pid "$pid"
done

names=()
for server in $SERVERS; do names+=("$server-hello" "$server-close" "$server-sleep"); done
echo
echo "gthread: $WORKERS workers x $GTHREADS threads; hello at $HELLO_CONNECTIONS connections" \
  "(close: Connection: close, a connection per request), sleep 100 ms at $SLEEP_CONNECTIONS" \
  "connections; wrk -t$THREADS -d$DURATION"
report_table "${names[@]}"
echo
report_ratio 'hello, hornet/gunicorn' hornet-hello gunicorn-hello
report_ratio 'close, hornet/gunicorn' hornet-close gunicorn-close
report_ratio 'sleep, hornet/gunicorn' hornet-sleep gunicorn-sleep
capacity=$((WORKERS * GTHREADS * 10))
for server in $SERVERS; do
  awk -v s="$server" -v r="${RPS[$server-sleep]}" -v c="$capacity" 'BEGIN {
    printf "sleep, %s: %.1f requests/s of a capacity of %d (%.1f%%)\n", s, r, c, 100 * r / c }'
done
