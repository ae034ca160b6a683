#!/usr/bin/env bash
# bench/asgi.sh: Python ASGI apps under hornet's asgi app (-k async) against
# uvicorn (Debian's, with uvloop and httptools when importable), hypercorn
# and daphne, on this machine, in one run, with wrk. The same files for
# every server:
#   hello      bench/asgi_hello.py      (plain ASGI 3)
#   starlette  bench/asgi_starlette.py  (one Starlette route)
#   fastapi    bench/asgi_fastapi.py    (one FastAPI route)
#   echo       bench/asgi_echo.py       (a 10 KiB POST streamed back)
#   ws         bench/ws_asgi.py         (WebSocket echo, 32-byte binary
#                                        messages, driven by bench/ws_load.cpp;
#                                        uvicorn with --ws websockets)
# Each server runs with WORKERS processes (daphne has one process only: it
# runs when WORKERS is 1). Reports requests/s, p99, server CPU per request
# and the ratios the asgi app is held to: hornet/uvicorn on hello and on
# FastAPI. Servers run one at a time and are stopped by PID however the
# script exits. Knobs: see bench/README.md (WORKERS, CONNECTIONS, DURATION,
# APPS, SERVERS as in bench/wsgi.sh; ROUNDS, 1 by default: the servers take
# turns that many times and the report gives the medians).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HORNET=${HORNET:-$here/../build/bin/hornet}
UVICORN=${UVICORN:-/usr/bin/uvicorn}
HYPERCORN=${HYPERCORN:-/usr/bin/hypercorn}
DAPHNE=${DAPHNE:-/usr/bin/python3}  # Debian ships daphne as a module: python3 -m daphne
WRK=${WRK:-wrk}
WORKERS=${WORKERS:-1}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-100}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
APPS=${APPS:-hello starlette fastapi echo ws}
ROUNDS=${ROUNDS:-1}
SERVERS=${SERVERS:-hornet uvicorn hypercorn daphne}
KEEP=${KEEP:-}

source "$here/lib.sh"
bench_init

module_of() { [[ $1 == ws ]] && echo ws_asgi || echo "asgi_$1"; }

post_script() {  # a wrk script that POSTs 10 KiB
  local file=$tmp/post10k.lua
  /usr/bin/python3 -c 'print("wrk.method = \"POST\"\nwrk.body = string.rep(\"x\", 10240)\nwrk.headers[\"Content-Type\"] = \"text/plain\"")' >"$file"
  echo "$file"
}

uvicorn_flags() {
  local flags=()
  /usr/bin/python3 -c 'import uvloop' 2>/dev/null && flags+=(--loop uvloop)
  /usr/bin/python3 -c 'import httptools' 2>/dev/null && flags+=(--http httptools)
  echo "${flags[@]}"
}

serve() {  # SERVER APP
  local server=$1 app=$2 name="$1:$2" at ws=()
  [[ $app == ws ]] && ws=(--ws websockets --ws-ping-interval 0 --ws-max-size 16777216)
  case $server in
    hornet)
      [[ -x $HORNET ]] || die "no hornet binary at $HORNET (build first, or set HORNET=)"
      start "$name" "$WORKERS" "$HORNET" -b 127.0.0.1:0 -w "$WORKERS" -k async --websocket-ping-interval 0 \
        --pythonpath "$here" "$(module_of "$app"):app" ;;
    uvicorn)
      [[ -x $UVICORN ]] || die "no uvicorn at $UVICORN (apt-get install uvicorn)"
      at=$(free_port)
      start_at "$name" "$at" "$UVICORN" --host 127.0.0.1 --port "$at" --workers "$WORKERS" \
        --no-access-log --log-level warning $(uvicorn_flags) "${ws[@]}" --app-dir "$here" "$(module_of "$app"):app" ;;
    hypercorn)
      [[ -x $HYPERCORN ]] || die "no hypercorn at $HYPERCORN (apt-get install python3-hypercorn)"
      at=$(free_port)
      PYTHONPATH=$here start_at "$name" "$at" "$HYPERCORN" --workers "$WORKERS" --bind "127.0.0.1:$at" \
        "$(module_of "$app"):app" ;;
    daphne)
      "$DAPHNE" -c 'import daphne' 2>/dev/null || die "no daphne for $DAPHNE (apt-get install python3-daphne)"
      at=$(free_port)
      PYTHONPATH=$here start_at "$name" "$at" "$DAPHNE" -m daphne -b 127.0.0.1 -p "$at" "$(module_of "$app"):app" ;;
    *) die "unknown server '$server'" ;;
  esac
}

# ws_measure NAME: a WebSocket echo, CONNECTIONS connections each keeping
# one 32-byte message in flight; messages/s into RPS, CPU per message.
ws_measure() {
  local name=$1 out t0 t1 secs=${DURATION%s}
  ws_load_binary
  "$LOAD" "$port" / "$CONNECTIONS" "${WARMUP%s}" echo >/dev/null
  t0=$(cpu_ticks "$pid")
  out=$("$LOAD" "$port" / "$CONNECTIONS" "$secs" echo)
  t1=$(cpu_ticks "$pid")
  echo "--- $name: $out" >&2
  RPS[$name]=$(sed -n 's/.* rate=\([0-9]*\).*/\1/p' <<<"$out")
  CPU[$name]=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v m="$(sed -n 's/.* messages=\([0-9]*\).*/\1/p' <<<"$out")" \
    'BEGIN {printf "%.1f", m ? d / hz * 1e6 / m : 0}')
  P99[$name]=-
  ERR[$name]=0
}

# echo_measure NAME: the 10 KiB POST streamed back; fills RPS P99 CPU ERR [NAME].
echo_measure() {
  local name=$1 out=$tmp/$1.wrk t0 t1
  curl -fsS "http://127.0.0.1:$port/" | grep -q 'Hello' || die "$name: GET / failed"
  run_wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$(post_script)" "http://127.0.0.1:$port/" >/dev/null
  t0=$(cpu_ticks "$pid")
  run_wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$(post_script)" "http://127.0.0.1:$port/" >"$out"
  t1=$(cpu_ticks "$pid")
  RPS[$name]=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  P99[$name]=$(awk '$1 == "99%" {v = $2; if (v ~ /us$/) x = v / 1000; else if (v ~ /ms$/) x = v + 0; else x = v * 1000; printf "%.2f", x}' "$out")
  CPU[$name]=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" '/ requests in / {printf "%.1f", (d / hz) * 1e6 / $1}' "$out")
  ERR[$name]=$(awk '/Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10} /Non-2xx/ {n += $NF} END {print n + 0}' "$out")
}

# Each app: ROUNDS rounds, every server once per round (interleaved, so a
# burst of load elsewhere on the machine hits them alike); the medians.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
names=()
for app in $APPS; do
  servers=()
  for server in $SERVERS; do
    [[ $server == daphne && $WORKERS != 1 ]] || servers+=("$server")
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    for server in "${servers[@]}"; do
      serve "$server" "$app"
      case $app in
        ws) ws_measure "$server:$app#$round" ;;
        echo) echo_measure "$server:$app#$round" ;;
        *) measure "$server:$app#$round" / 'Hello, World!' "$CONNECTIONS" ;;
      esac
      stop_pid "$pid"
    done
  done
  for server in "${servers[@]}"; do
    take_median "$server:$app" "$ROUNDS"
    names+=("$server:$app")
  done
done

echo
echo "asgi: $WORKERS worker(s); wrk -t$THREADS -c$CONNECTIONS -d$DURATION; medians of $ROUNDS interleaved round(s); uvicorn flags: $(uvicorn_flags)"
echo "load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
report_table "${names[@]}"
echo
for app in $APPS; do
  for peer in uvicorn hypercorn daphne; do
    report_ratio "$app, hornet/$peer" "hornet:$app" "$peer:$app"
  done
done
