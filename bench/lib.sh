# bench/lib.sh: what every bench script shares, sourced (not run): start a
# server and wait for its port, stop it by PID, the server's CPU time from
# /proc, one wrk measurement parsed into requests/s, p99, CPU per request
# and errors, and the report table.
#
# The sourcing script sets HORNET, GUNICORN, WRK, THREADS, DURATION, WARMUP
# and KEEP (see bench/README.md) before calling bench_init.

die() { echo "bench: $*" >&2; exit 1; }

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

started=()  # every server pid started (stop_pid finds their workers)

cleanup() {
  local pid
  if [[ -n $wrk_pid ]]; then kill -TERM "$wrk_pid" 2>/dev/null || true; fi
  for pid in "${started[@]}"; do stop_pid "$pid"; done
  if [[ -n $KEEP ]]; then mkdir -p "$KEEP" && cp -r "$tmp"/. "$KEEP"/; fi
  rm -rf "$tmp"
}

# A temp dir for logs and wrk output, and the traps that stop every server.
# SCHED=batch runs every server under SCHED_BATCH (its workers inherit it).
launch=()
bench_init() {
  command -v "$WRK" >/dev/null || die "wrk not found (apt-get install wrk)"
  case ${SCHED:-other} in
    other) ;;
    batch) launch=(chrt -b 0) ;;
    *) die "SCHED must be other or batch, not '$SCHED'" ;;
  esac
  tmp=$(mktemp -d /tmp/hornet-bench.XXXXXX)
  trap cleanup EXIT
  trap 'exit 130' INT TERM HUP
}

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

# start NAME WORKERS CMD...: run the server, wait for its listener line and
# WORKERS boot lines (both servers log Gunicorn's lines), set $pid $port.
start() {
  local name=$1 workers=$2 log=$tmp/$1.log deadline url
  shift 2
  : >"$log"
  "${launch[@]}" "$@" >"$tmp/$name.out" 2>"$log" </dev/null &
  pid=$!
  started+=("$pid")
  deadline=$((SECONDS + 30))
  until grep -q 'Listening at: http://' "$log" &&
        (($(grep -c 'Booting worker with pid' "$log") >= workers)); do
    alive "$pid" || { cat "$log" >&2; die "$name exited while starting"; }
    ((SECONDS < deadline)) || { cat "$log" >&2; die "$name not ready in 30 s"; }
    sleep 0.1
  done
  url=$(grep -m1 -o 'Listening at: http://[^ ]*' "$log")
  port=${url##*:}
}

# A TCP port free on 127.0.0.1 right now, for a server that cannot report
# the port the kernel gave it (uWSGI).
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_at NAME PORT CMD...: as start, for a server that does not log
# Gunicorn's lines: wait until GET / on PORT answers; set $pid $port.
start_at() {
  local name=$1 at=$2 log=$tmp/$1.log deadline
  shift 2
  "${launch[@]}" "$@" >"$tmp/$name.out" 2>"$log" </dev/null &
  pid=$!
  started+=("$pid")
  deadline=$((SECONDS + 30))
  until curl -fsS -o /dev/null "http://127.0.0.1:$at/" 2>/dev/null; do
    alive "$pid" || { cat "$log" >&2; die "$name exited while starting"; }
    ((SECONDS < deadline)) || { cat "$log" >&2; die "$name not ready in 30 s"; }
    sleep 0.1
  done
  port=$at
}

# ws_load_binary: bench/ws_load.cpp, built by CMake or here; sets $LOAD.
ws_load_binary() {
  LOAD=${LOAD:-$here/../build/bin/ws_load}
  [[ -x $LOAD ]] && return
  LOAD=$tmp/ws_load
  c++ -std=c++20 -O2 -o "$LOAD" "$here/ws_load.cpp" || die "cannot build bench/ws_load.cpp"
}

# ---- one measurement -----------------------------------------------------------

declare -A RPS P99 CPU ERR

# measure NAME PATH EXPECT CONNECTIONS [WRK_ARG...]: check that GET PATH on
# the running server ($pid, $port) says EXPECT, warm up, then one measured
# wrk run (with WRK_ARGs, say -H 'Connection: close'); fills RPS P99 CPU ERR
# [NAME].
measure() {
  local name=$1 path=$2 expect=$3 connections=$4 out=$tmp/$1.wrk url t0 t1 hz
  local extra=("${@:5}")
  url="http://127.0.0.1:$port$path"
  curl -fsS "$url" | grep -q "$expect" || die "$name: GET $path did not say '$expect'"
  run_wrk -t"$THREADS" -c"$connections" -d"$WARMUP" "${extra[@]}" "$url" >/dev/null
  t0=$(cpu_ticks "$pid")
  run_wrk -t"$THREADS" -c"$connections" -d"$DURATION" --latency "${extra[@]}" "$url" >"$out"
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
  echo "--- $name (wrk -t$THREADS -c$connections -d$DURATION $path)" >&2
  cat "$out" >&2
}

# ---- report ----------------------------------------------------------------------

report_table() {  # NAME...: one row per measurement
  local name
  printf '%-18s %12s %10s %14s %8s\n' measurement 'requests/s' 'p99 ms' 'CPU us/req' errors
  for name in "$@"; do
    printf '%-18s %12s %10s %14s %8s\n' "$name" "${RPS[$name]:-}" "${P99[$name]:-}" \
      "${CPU[$name]:-}" "${ERR[$name]:-}"
  done
}

# take_median NAME N: RPS P99 CPU ERR [NAME] become the medians (ERR: the
# sum) of the measurements NAME#1 .. NAME#N, so one noisy round on a shared
# machine does not decide the result.
take_median() {
  local name=$1 n=$2 i table key
  for table in RPS P99 CPU; do
    declare -n values=$table
    values[$name]=$(for ((i = 1; i <= n; i++)); do echo "${values[$name#$i]}"; done |
      sort -g | awk '{v[NR] = $1} END {print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}')
    unset -n values
  done
  ERR[$name]=0
  for ((i = 1; i <= n; i++)); do ERR[$name]=$((ERR[$name] + ERR[$name#$i])); done
}

report_ratio() {  # LABEL A B: A/B for requests/s, p99 and CPU per request
  local label=$1 a=$2 b=$3
  [[ -n ${RPS[$a]:-} && -n ${RPS[$b]:-} ]] || return 0
  awk -v l="$label" -v ar="${RPS[$a]}" -v br="${RPS[$b]}" -v ap="${P99[$a]}" -v bp="${P99[$b]}" \
      -v ac="${CPU[$a]}" -v bc="${CPU[$b]}" 'BEGIN {
    printf "%s: requests/s x%.2f   p99 x%.2f   CPU per request x%.2f\n",
      l, ar / br, (bp > 0 ? ap / bp : 0), (bc > 0 ? ac / bc : 0) }'
}
