#!/usr/bin/env bash
# bench/websocket.sh: WebSockets on hornet's async worker (the wsecho app)
# against Node's ws (Debian node-ws, bench/ws_node_server.js) and uvicorn
# with websockets (Debian's uvicorn, bench/ws_asgi.py), one process each, on
# this machine, in one run, driven by bench/ws_load.cpp (epoll, one thread):
#   echo       round trips/s, every connection sending 32-byte binary
#              messages and waiting for each to come back;
#   broadcast  messages delivered/s: connection 0 keeps 16 messages in
#              flight to /chat, each one delivered to every connection;
# at CONNECTIONS (default "1 100 1000"); and the memory of an idle
# WebSocket: the server's Rss and Pss (/proc/PID/smaps_rollup) with IDLE
# (default 1000) open connections minus before, divided by IDLE (hornet:
# the worker process).
# Reports messages/s, server CPU µs per message (from /proc: utime+stime of
# the server and its children) and the client's own CPU µs per message,
# then the ratios hornet/node and hornet/uvicorn. Target: hornet >= 2x node
# for echo at 100 connections; idle memory < 16 KiB per connection. Knobs:
# SECONDS_EACH (5), WARMUP_SECONDS (1), SERVERS ("hornet node uvicorn"),
# HORNET_KIND (async: hornet's worker type; uring serves WebSockets too).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HORNET=${HORNET:-$here/../build/bin/hornet}
NODE=${NODE:-node}
UVICORN=${UVICORN:-/usr/bin/uvicorn}
CONNECTIONS=${CONNECTIONS:-1 100 1000}
IDLE=${IDLE:-1000}
SECONDS_EACH=${SECONDS_EACH:-5}
WARMUP_SECONDS=${WARMUP_SECONDS:-1}
SERVERS=${SERVERS:-hornet node uvicorn}
HORNET_KIND=${HORNET_KIND:-async}
WRK=true  # lib.sh's bench_init wants a wrk; this script drives its own client
KEEP=${KEEP:-}

source "$here/lib.sh"
bench_init
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

ws_load_binary

# serve SERVER: start it; sets $pid $port, and $mem_pid (the process that
# holds the connections).
serve() {
  local at
  case $1 in
    hornet)
      start hornet 1 "$HORNET" -b 127.0.0.1:0 -k "$HORNET_KIND" -w 1 --worker-connections 4000 \
        --websocket-ping-interval 0 wsecho
      mem_pid=$(children "$pid" | head -1) ;;
    node)
      at=$(free_port)
      NODE_PATH=/usr/share/nodejs start_at node "$at" "$NODE" "$here/ws_node_server.js" "$at"
      mem_pid=$pid ;;
    uvicorn)
      at=$(free_port)
      start_at uvicorn "$at" "$UVICORN" --no-access-log --log-level warning --ws websockets \
        --ws-ping-interval 0 --ws-max-size 16777216 --app-dir "$here" --host 127.0.0.1 --port "$at" ws_asgi:app
      mem_pid=$pid ;;
    *) die "unknown server '$1'" ;;
  esac
}

declare -A RATE SCPU CCPU MEM PSS

# run NAME MODE N: one warm-up and one measured ws_load run.
run() {
  local name=$1 mode=$2 n=$3 path=/ key="$1 $2 $3" out t0 t1 hz msgs
  [[ $mode == broadcast ]] && path=/chat
  "$LOAD" "$port" "$path" "$n" "$WARMUP_SECONDS" "$mode" >/dev/null
  t0=$(cpu_ticks "$pid")
  out=$("$LOAD" "$port" "$path" "$n" "$SECONDS_EACH" "$mode")
  t1=$(cpu_ticks "$pid")
  hz=$(getconf CLK_TCK)
  echo "--- $key: $out" >&2
  msgs=$(sed -n 's/.* messages=\([0-9]*\).*/\1/p' <<<"$out")
  RATE[$key]=$(sed -n 's/.* rate=\([0-9]*\).*/\1/p' <<<"$out")
  CCPU[$key]=$(sed -n 's/.*client_cpu_us_per_msg=\([0-9.]*\).*/\1/p' <<<"$out")
  SCPU[$key]=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v m="$msgs" 'BEGIN {printf "%.2f", m ? d / hz * 1e6 / m : 0}')
}

# "Rss Pss" of a process, in KiB (Pss: shared pages divided among sharers).
rss_pss_kib() { awk '/^Rss:/ {r = $2} /^Pss:/ {p = $2} END {print r, p}' /proc/"$1"/smaps_rollup; }

# idle_memory NAME: Rss and Pss growth per idle WebSocket, in KiB.
idle_memory() {
  local before after client fifo=$tmp/idle.fifo line
  before=$(rss_pss_kib "$mem_pid")
  mkfifo "$fifo"
  "$LOAD" "$port" / "$IDLE" 30 idle >"$fifo" &
  client=$!
  read -r line <"$fifo"
  [[ $line == open ]] || die "$1: the idle client did not open $IDLE connections"
  sleep 1
  after=$(rss_pss_kib "$mem_pid")
  kill "$client" 2>/dev/null || true
  wait "$client" 2>/dev/null || true
  rm -f "$fifo"
  MEM[$1]=$(awk -v a="${after% *}" -v b="${before% *}" -v n="$IDLE" 'BEGIN {printf "%.1f", (a - b) / n}')
  PSS[$1]=$(awk -v a="${after#* }" -v b="${before#* }" -v n="$IDLE" 'BEGIN {printf "%.1f", (a - b) / n}')
}

# Memory first, on a fresh server: a heap that already held 1000 busy
# connections would hide what an idle one costs.
for server in $SERVERS; do
  serve "$server"
  idle_memory "$server"
  for n in $CONNECTIONS; do
    run "$server" echo "$n"
    run "$server" broadcast "$n"
  done
  stop_pid "$pid"
done

echo
echo "load before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"
printf '%-10s %-10s %6s %14s %16s %16s\n' server mode conns 'messages/s' 'server CPU us/msg' 'client CPU us/msg'
for server in $SERVERS; do
  for mode in echo broadcast; do
    for n in $CONNECTIONS; do
      key="$server $mode $n"
      printf '%-10s %-10s %6s %14s %16s %16s\n' "$server" "$mode" "$n" "${RATE[$key]:-}" "${SCPU[$key]:-}" \
        "${CCPU[$key]:-}"
    done
  done
done
echo
for server in $SERVERS; do
  echo "idle WebSocket, $server: Rss ${MEM[$server]:-} KiB, Pss ${PSS[$server]:-} KiB per connection (delta / $IDLE; target < 16 KiB)"
done
echo
for peer in node uvicorn; do
  [[ " $SERVERS " == *" hornet "* && " $SERVERS " == *" $peer "* ]] || continue
  for mode in echo broadcast; do
    for n in $CONNECTIONS; do
      awk -v l="hornet/$peer $mode $n" -v a="${RATE[hornet $mode $n]}" -v b="${RATE[$peer $mode $n]}" \
          -v ac="${SCPU[hornet $mode $n]}" -v bc="${SCPU[$peer $mode $n]}" 'BEGIN {
        printf "%-28s messages/s x%.2f   server CPU per message x%.2f\n", l, b ? a / b : 0, bc ? ac / bc : 0 }'
    done
  done
done
