#!/usr/bin/env bash
# bench/metrics_instructions.sh: what the metrics cost, in instructions.
# metrics_cost.sh times CPU per request with wrk, which moves by ±10 % from
# round to round on a shared 2-core machine; a 3 % target needs a measure
# the neighbours cannot move. This one counts the instructions each hornet
# process runs (valgrind's callgrind, which counts user-space instructions
# exactly) for hello with metrics off and on, for each worker type: once
# with SMALL requests and once with LARGE, so that start-up and shutdown
# cancel out of (Ir(LARGE) - Ir(SMALL)) / (LARGE - SMALL), the instructions
# per request. The kernel's share (accept, read, write, close, and the
# receive timestamp the queue time adds) is not in the count: strace -c
# gives the syscall side, printed beside it.
# Usage: bench/metrics_instructions.sh
# Knobs: HORNET, CASES (sync gthread async), SMALL (200), LARGE (1200), KEEP.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HORNET=${HORNET:-$here/../build/bin/hornet}
CASES=${CASES:-sync gthread async}
SMALL=${SMALL:-200}
LARGE=${LARGE:-1200}
KEEP=${KEEP:-}
command -v valgrind >/dev/null || { echo "bench: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }

tmp=$(mktemp -d)
server=
cleanup() {
  [[ -n $server ]] && kill -KILL "$server" 2>/dev/null || true
  [[ -n $KEEP ]] && cp -r "$tmp"/. "$KEEP"/ 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

args_for() {
  case $1 in
    sync) echo "-k sync hello" ;;
    gthread) echo "-k gthread --threads 4 hello" ;;
    async) echo "-k async hello" ;;
    *) echo "bench: unknown case '$1'" >&2; exit 2 ;;
  esac
}

# N requests, a new connection each: sync closes after every response, and a
# new connection is where the queue time is taken, so it is the dearest case.
send_requests() {  # PORT N
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import http.client, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
for _ in range(n):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("GET", "/", headers={"Connection": "close"})
    r = c.getresponse()
    assert r.status == 200 and r.read() == b"Hello, World!\n", r.status
    c.close()
EOF
}

# run NAME N ARGS...: hornet with one worker under callgrind, N requests,
# graceful stop; prints the worker's and the arbiter's instruction counts.
run() {
  local name=$1 n=$2 dir=$tmp/$1 log port deadline
  shift 2
  mkdir -p "$dir"
  log=$dir/log
  valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$dir/cg.%p" \
    "$HORNET" -b 127.0.0.1:0 -w 1 -t 600 --graceful-timeout 60 "$@" >"$dir/out" 2>"$log" </dev/null &
  server=$!
  deadline=$((SECONDS + 120))
  until grep -q 'Booting worker with pid' "$log"; do
    ((SECONDS < deadline)) || { cat "$log" >&2; echo "bench: $name did not start" >&2; exit 1; }
    sleep 0.2
  done
  port=$(grep -m1 -o 'Listening at: http://[^ ]*' "$log" | sed 's/.*://')
  send_requests "$port" "$n"
  kill -TERM "$server"
  wait "$server" || true
  server=
  local worker
  worker=$(grep -m1 -o 'Booting worker with pid: [0-9]*' "$log" | grep -o '[0-9]*$')
  echo "$(ir_of "$dir/cg.$worker") $(ir_of "$dir/cg.$(ls "$dir" | sed -n 's/^cg\.\([0-9]*\)$/\1/p' | grep -vx "$worker" | head -1)")"
}

ir_of() {  # callgrind output file: its total Ir
  awk '/^(summary|totals):/ {print $2; exit}' "$1"
}

printf '%-8s %-4s %14s %14s\n' case side 'worker Ir/req' 'arbiter Ir/req'
declare -A W
for case in $CASES; do
  for side in off on; do
    extra=()
    [[ $side == on ]] && extra=(--metrics-bind 127.0.0.1:0)
    # shellcheck disable=SC2046
    read -r ws as < <(run "$side-$case-small" "$SMALL" "${extra[@]}" $(args_for "$case"))
    # shellcheck disable=SC2046
    read -r wl al < <(run "$side-$case-large" "$LARGE" "${extra[@]}" $(args_for "$case"))
    w=$(( (wl - ws) / (LARGE - SMALL) )) a=$(( (al - as) / (LARGE - SMALL) ))
    W[$side-$case]=$((w + a))
    printf '%-8s %-4s %14d %14d\n' "$case" "$side" "$w" "$a"
  done
done
echo
for case in $CASES; do
  awk -v c="$case" -v off="${W[off-$case]}" -v on="${W[on-$case]}" \
    'BEGIN {printf "%s, metrics on/off: instructions per request x%.3f (%d -> %d)\n", c, on / off, off, on}'
done
