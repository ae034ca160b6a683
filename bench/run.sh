#!/usr/bin/env bash
# bench/run.sh: hornet (sync, hello app) against Gunicorn (sync, the same
# hello as WSGI) on this machine, in one run, with wrk; reports requests/s,
# p99 latency and the server's CPU time per request, then hornet/gunicorn.
#
# The servers run one after the other (never at once), ROUNDS times in turn;
# the ratio is taken of the medians. They listen on loopback ephemeral ports
# and are stopped by PID when the script exits, however it exits.
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
ROUNDS=${ROUNDS:-3}
KEEP=${KEEP:-}  # a directory to keep logs and raw wrk output in

source "$here/lib.sh"
bench_init

[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive number, not '$ROUNDS'"
rows=()
for ((round = 1; round <= ROUNDS; round++)); do
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
    measure "$server#$round" / 'Hello, World!' "$CONNECTIONS"
    stop_pid "$pid"
    rows+=("$server#$round")
  done
done
for server in $SERVERS; do take_median "$server" "$ROUNDS"; done

echo
report_table "${rows[@]}"
echo
echo "median of $ROUNDS round(s):"
report_table $SERVERS
echo
for ((round = 1; round <= ROUNDS; round++)); do report_ratio "round $round hornet/gunicorn" "hornet#$round" "gunicorn#$round"; done
report_ratio "median hornet/gunicorn" hornet gunicorn
