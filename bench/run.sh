#!/usr/bin/env bash
# bench/run.sh: hornet (sync, hello app) against Gunicorn (sync, the same
# hello as WSGI) on this machine, in one run, with wrk; reports requests/s,
# p99 latency and the server's CPU time per request, then hornet/gunicorn.
#
# The servers run one after the other (never at once), on loopback ephemeral
# ports, and are stopped by PID when the script exits, however it exits.
# Settings come from the environment; see bench/README.md.
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

die() { echo "bench: $*" >&2; exit 1; }
command -v "$WRK" >/dev/null || die "wrk not found (apt-get install wrk)"

tmp=$(mktemp -d /tmp/hornet-bench.XXXXXX)
started=()  # every server pid this script started (stop_pid finds their workers)

# ---- processes -------------------------------------------------------------

children() {  # direct children of $1 (all its threads)
  cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+$' || true
}

descendants() {
  local c
  for c in $(children "$1"); do echo "$c"; descendants "$c"; done
}

alive() { [[ -e /proc/$1 ]] && ! grep -q '^[0-9]* (.*) Z' /proc/"$1"/stat 2>/dev/null; }

stop_pid() {  # TERM, wait up to 10 s, then KILL it and every child it had
  local pid=$1 kids i
  alive "$pid" || return 0
  kids=$(descendants "$pid")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do alive "$pid" || break; sleep 0.1; done
  if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  for i in $kids; do
    if alive "$i"; then kill -KILL "$i" 2>/dev/null || true; fi
  done
  wait "$pid" 2>/dev/null || true
}

# wrk runs in the background and the script waits for it, so that a signal
# to the script is handled at once (bash defers traps until a foreground
# child ends) and the cleanup can stop wrk too.
wrk_pid=
run_wrk() {
  "$WRK" "$@" &
  wrk_pid=$!
  wait "$wrk_pid"
  wrk_pid=
}

cleanup() {
  local pid
  if [[ -n $wrk_pid ]]; then kill -TERM "$wrk_pid" 2>/dev/null || true; fi
  for pid in "${started[@]}"; do stop_pid "$pid"; done
  if [[ -n $KEEP ]]; then mkdir -p "$KEEP" && cp -r "$tmp"/. "$KEEP"/; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# CPU clock ticks of a server: utime+stime of the arbiter and of every live
# descendant, plus the arbiter's cutime+cstime (workers it already reaped).
cpu_ticks() {
  local pid=$1 total=0 s f c
  s=$(cat /proc/"$pid"/stat 2>/dev/null) || { echo 0; return; }
  read -r -a f <<<"${s##*) }"  # f[0] is field 3 (state): utime is field 14
  total=$((f[11] + f[12] + f[13] + f[14]))
  for c in $(descendants "$pid"); do
    s=$(cat /proc/"$c"/stat 2>/dev/null) || continue
    read -r -a f <<<"${s##*) }"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

# start NAME CMD...: run the server, wait for its listener line and its
# workers' boot lines (both servers log Gunicorn's lines), set $pid $port.
start() {
  local name=$1 log=$tmp/$1.log deadline url
  shift
  : >"$log"
  "$@" >"$tmp/$name.out" 2>"$log" </dev/null &
  pid=$!
  started+=("$pid")
  deadline=$((SECONDS + 30))
  until grep -q 'Listening at: http://' "$log" &&
        (($(grep -c 'Booting worker with pid' "$log") >= WORKERS)); do
    alive "$pid" || { cat "$log" >&2; die "$name exited while starting"; }
    ((SECONDS < deadline)) || { cat "$log" >&2; die "$name not ready in 30 s"; }
    sleep 0.1
  done
  url=$(grep -m1 -o 'Listening at: http://[^ ]*' "$log")
  port=${url##*:}
}

# ---- one measurement ---------------------------------------------------------

declare -A RPS P99 CPU ERR

bench() {  # NAME: warm up, then measure the running server $pid on $port
  local name=$1 out=$tmp/$1.wrk url="http://127.0.0.1:$port/" t0 t1 hz
  curl -fsS "$url" | grep -q 'Hello, World!' || die "$name: GET / did not say hello"
  run_wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" >/dev/null
  t0=$(cpu_ticks "$pid")
  run_wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url" >"$out"
  t1=$(cpu_ticks "$pid")
  hz=$(getconf CLK_TCK)
  RPS[$name]=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  P99[$name]=$(awk '$1 == "99%" {v = $2
      if (v ~ /us$/) x = v / 1000; else if (v ~ /ms$/) x = v + 0; else if (v ~ /m$/) x = v * 60000;
      else x = v * 1000; printf "%.2f", x}' "$out")
  CPU[$name]=$(awk -v d=$((t1 - t0)) -v hz="$hz" '/ requests in / {
      printf "%.1f", (d / hz) * 1e6 / $1}' "$out")
  ERR[$name]=$(awk '/Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10}
      /Non-2xx/ {n += $NF} END {print n + 0}' "$out")
  echo "--- $name (wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $WORKERS workers)" >&2
  cat "$out" >&2
}

for server in $SERVERS; do
  case $server in
    hornet)
      [[ -x $HORNET ]] || die "no hornet binary at $HORNET (build first, or set HORNET=)"
      start hornet "$HORNET" -b 127.0.0.1:0 -w "$WORKERS" -k sync hello ;;
    gunicorn)
      [[ -x $GUNICORN ]] || die "no gunicorn at $GUNICORN (apt-get install gunicorn)"
      start gunicorn "$GUNICORN" -b 127.0.0.1:0 -w "$WORKERS" -k sync \
        --chdir "$here" wsgi_hello:app ;;
    *) die "unknown server '$server' (hornet, gunicorn)" ;;
  esac
  bench "$server"
  stop_pid "$pid"
done

# ---- report --------------------------------------------------------------------

echo
printf '%-10s %12s %10s %14s %8s\n' server 'requests/s' 'p99 ms' 'CPU us/req' errors
for server in $SERVERS; do
  printf '%-10s %12s %10s %14s %8s\n' "$server" "${RPS[$server]}" "${P99[$server]}" \
    "${CPU[$server]}" "${ERR[$server]}"
done
if [[ -n ${RPS[hornet]:-} && -n ${RPS[gunicorn]:-} ]]; then
  awk -v hr="${RPS[hornet]}" -v gr="${RPS[gunicorn]}" -v hp="${P99[hornet]}" \
      -v gp="${P99[gunicorn]}" -v hc="${CPU[hornet]}" -v gc="${CPU[gunicorn]}" 'BEGIN {
    printf "\nhornet/gunicorn: requests/s x%.2f   p99 x%.2f   CPU per request x%.2f\n",
      hr / gr, (gp > 0 ? hp / gp : 0), (gc > 0 ? hc / gc : 0) }'
fi
