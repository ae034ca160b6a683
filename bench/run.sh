#!/usr/bin/env bash
# bench/run.sh: hornet (sync, hello app) against Gunicorn (sync, the same
# hello as WSGI) on this machine, in one run, with wrk; reports requests/s,
# p99 latency and the server's CPU time per request, then hornet/gunicorn.
#
# The servers run one after the other (never at once), on loopback ephemeral
# ports, and are stopped by PID when the script exits, however it exits.
# Settings come from the environment; see bench/README.md. The shared pieces
# (servers, CPU accounting, wrk parsing, report) are in lib.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HORNET=${HORNET:-$here/../build/bin/hornet}
GUNICORN=${GUNICORN:-/usr/bin/gunicorn}
WRK=${WRK:-wrk}
WORKERS=${WORKERS:-5}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
SERVERS=${SERVERS:-hornet gunicorn}
KEEP=${KEEP:-}  # a directory to keep logs and raw wrk output in

source "$here/lib.sh"
bench_init

for server in $SERVERS; do
  case $server in
    hornet)
      [[ -x $HORNET ]] || die "no hornet binary at $HORNET (build first, or set HORNET=)"
      start hornet "$WORKERS" "$HORNET" -b 127.0.0.1:0 -w "$WORKERS" -k sync hello ;;
    gunicorn)
      [[ -x $GUNICORN ]] || die "no gunicorn at $GUNICORN (apt-get install gunicorn)"
      start gunicorn "$WORKERS" "$GUNICORN" -b 127.0.0.1:0 -w "$WORKERS" -k sync \
        --chdir "$here" wsgi_hello:app ;;
    *) die "unknown server '$server' (hornet, gunicorn)" ;;
  esac
  measure "$server" / 'Hello, World!' "$CONNECTIONS"
  stop_pid "$pid"
done

echo
report_table $SERVERS
echo
report_ratio hornet/gunicorn hornet gunicorn
