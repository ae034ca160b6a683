#!/usr/bin/env bash
# bench/reload.sh: what five reloads under keep-alive load cost, per server,
# side by side in one run: nginx (HUP) and every hornet worker type (HUP).
# During DURATION, wrk -t1 -cCONNECTIONS keeps GETting on keep-alive
# connections and bench/post_load.py keeps POSTing (POSTERS connections,
# 3000-byte bodies the app does not read) while the server gets HUP five
# times, GAP seconds apart. Reports per server:
#   wrk errors   read + write + timeout socket errors (a request sent and not
#                answered; connect errors are counted apart)
#   POSTs lost   POSTs sent and not answered
#   HUP→gone     the longest time from a HUP until every worker that served
#                before it had exited (the old generation gone)
# Target: 0 lost for every hornet worker type; the old generation gone
# within keepalive + 1 s. Knobs: SERVERS, WORKERS (2), CONNECTIONS (16),
# POSTERS (4), DURATION (8), GAP (1.2), KEEPALIVE (2, hornet's keep_alive).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HORNET=${HORNET:-$here/../build/bin/hornet}
NGINX=${NGINX:-/usr/sbin/nginx}
WRK=${WRK:-wrk}
WORKERS=${WORKERS:-2}
CONNECTIONS=${CONNECTIONS:-16}
POSTERS=${POSTERS:-4}
DURATION=${DURATION:-8}
GAP=${GAP:-1.2}
KEEPALIVE=${KEEPALIVE:-2}
SERVERS=${SERVERS:-nginx hornet-sync hornet-gthread hornet-async}
THREADS=1 WARMUP=0 KEEP=${KEEP:-}

source "$here/lib.sh"
bench_init

serve() {  # SERVER: start it; sets $pid $port
  local server=$1 at
  case $server in
    hornet-*)
      start "$server" "$WORKERS" "$HORNET" -b 127.0.0.1:0 -w "$WORKERS" -k "${server#hornet-}" \
        --keep-alive "$KEEPALIVE" --graceful-timeout 30 hello ;;
    nginx)
      [[ -x $NGINX ]] || die "no nginx at $NGINX (scripts/dev bench installs it)"
      at=$(free_port)
      mkdir -p "$tmp/nginx"
      sed -e "s|@PORT@|$at|g" -e "s|@PREFIX@|$tmp/nginx|g" -e "s|worker_processes 2;|worker_processes $WORKERS;|" \
        "$here/nginx.conf.in" >"$tmp/nginx/nginx.conf"
      start_at "$server" "$at" "$NGINX" -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' ;;
    *) die "unknown server '$server'" ;;
  esac
}

# HUP the server; print the ms until every worker it had before is gone.
hup_and_time() {
  local before t0 now w left
  before=$(children "$pid")
  t0=$(date +%s%N)
  kill -HUP "$pid"
  while :; do
    left=0
    for w in $before; do alive "$w" && left=1; done
    now=$(date +%s%N)
    ((left == 0)) && break
    (((now - t0) / 1000000 > 60000)) && break
    sleep 0.02
  done
  echo $(((now - t0) / 1000000))
}

declare -A WRK_OK WRK_ERR WRK_CONN POST_OK POST_LOST GONE
for server in $SERVERS; do
  serve "$server"
  "$WRK" -t1 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$port/" >"$tmp/$server.wrk" &
  wrk_bg=$!
  /usr/bin/python3 "$here/post_load.py" "$port" "$POSTERS" "$DURATION" >"$tmp/$server.post" &
  post_bg=$!
  worst=0
  for _ in 1 2 3 4 5; do
    sleep "$GAP"
    ms=$(hup_and_time)
    ((ms > worst)) && worst=$ms
  done
  wait "$wrk_bg" "$post_bg" || true
  WRK_OK[$server]=$(awk '/ requests in / {print $1}' "$tmp/$server.wrk")
  WRK_ERR[$server]=$(awk '/Socket errors:/ {gsub(",", ""); print $6 + $8 + $10} END {}' "$tmp/$server.wrk")
  WRK_CONN[$server]=$(awk '/Socket errors:/ {gsub(",", ""); print $4}' "$tmp/$server.wrk")
  read -r _ POST_OK[$server] _ POST_LOST[$server] _ _ <"$tmp/$server.post"
  GONE[$server]=$worst
  stop_pid "$pid"
  cat "$tmp/$server.wrk" >&2
done

echo
echo "reload: $WORKERS workers, 5 HUPs ${GAP}s apart during ${DURATION}s of wrk -t1 -c$CONNECTIONS (GET)"
echo "and $POSTERS keep-alive POSTing connections; hornet keep_alive ${KEEPALIVE}s"
printf '%-16s %12s %11s %11s %10s %11s %12s\n' server 'wrk answers' 'wrk errors' 'wrk connect' 'POSTs ok' 'POSTs lost' 'HUP→gone ms'
for server in $SERVERS; do
  printf '%-16s %12s %11s %11s %10s %11s %12s\n' "$server" "${WRK_OK[$server]}" "${WRK_ERR[$server]:-0}" \
    "${WRK_CONN[$server]:-0}" "${POST_OK[$server]}" "${POST_LOST[$server]}" "${GONE[$server]}"
done
