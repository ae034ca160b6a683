#!/usr/bin/env bash
# bench/uring.sh: hornet's uring worker type against its async worker type
# and nginx, on this machine, in one run, with wrk:
#   hello-N   hornet's hello app (on the ring / loop thread) / nginx's
#             `return 200`, at HELLO_CONNECTIONS (default "50 400")
#             keep-alive connections: the server's own cost;
#   close-N   the same with Connection: close on every request, at
#             CLOSE_CONNECTIONS (default 50): accept, one answer, close;
#   file-N    a 1 MiB file through sendfile: hornet's wsgi app with
#             wsgi.file_wrapper (bench/wsgi_file.py, on the worker's pool) /
#             nginx's static file with sendfile on, at FILE_CONNECTIONS (50).
# Targets on keep-alive hello: uring's CPU per request <= 0.9 x async's and
# <= nginx's. Then, for each server and case, system calls per request:
# strace -c -f on the workers during a SYSCALL_SECONDS (default 3) wrk run
# (strace slows the server: these runs are not the timed ones).
# Every server gets WORKERS processes (default 2). Servers run one at a time
# and are stopped by PID however the script exits. Knobs: bench/README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HORNET=${HORNET:-$here/../build/bin/hornet}
NGINX=${NGINX:-/usr/sbin/nginx}
WRK=${WRK:-wrk}
STRACE=${STRACE:-strace}
WORKERS=${WORKERS:-2}
THREADS=${THREADS:-2}     # wrk threads
HELLO_CONNECTIONS=${HELLO_CONNECTIONS:-50 400}
CLOSE_CONNECTIONS=${CLOSE_CONNECTIONS:-50}
FILE_CONNECTIONS=${FILE_CONNECTIONS:-50}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
SYSCALL_SECONDS=${SYSCALL_SECONDS:-3}
SERVERS=${SERVERS:-uring async nginx}
KEEP=${KEEP:-}

source "$here/lib.sh"
bench_init
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$tmp/nginx/files"
# 1 MiB whose last line is what measure() checks (grep reads it all, so
# curl is not cut off mid-file).
# nginx's workers (user nobody when started as root) must read it.
chmod 755 "$tmp" "$tmp/nginx" "$tmp/nginx/files"
{ head -c $(((1 << 20) - 23)) /dev/zero | tr '\0' x; printf '\nend of the 1 MiB file\n'; } >"$tmp/nginx/files/1m.bin"

# serve SERVER APP: start SERVER (uring, async, nginx) on APP (hello, file).
serve() {
  local server=$1 app=$2 at
  case $server in
    uring | async)
      [[ -x $HORNET ]] || die "no hornet binary at $HORNET (build first, or set HORNET=)"
      if [[ $app == hello ]]; then
        start "$server-$app" "$WORKERS" "$HORNET" -b 127.0.0.1:0 -w "$WORKERS" -k "$server" \
          --worker-connections 1000 --access-logfile '' hello
      else
        printf 'app: wsgi\napp_config:\n  module: "wsgi_file:app"\n  pythonpath: "%s"\n' "$here" >"$tmp/file.yaml"
        BENCH_FILE=$tmp/nginx/files/1m.bin start "$server-$app" "$WORKERS" "$HORNET" -c "$tmp/file.yaml" \
          -b 127.0.0.1:0 -w "$WORKERS" -k "$server" --threads 4 --worker-connections 1000 --access-logfile ''
      fi ;;
    nginx)
      [[ -x $NGINX ]] || die "no nginx at $NGINX (apt-get install nginx-light)"
      at=$(free_port)
      sed -e "s|@PORT@|$at|g" -e "s|@PREFIX@|$tmp/nginx|g" "$here/nginx.conf.in" >"$tmp/nginx/nginx.conf"
      sed -i "s|worker_processes 2;|worker_processes $WORKERS;|" "$tmp/nginx/nginx.conf"
      start_at "$server-$app" "$at" "$NGINX" -p "$tmp/nginx/" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' ;;
    *) die "unknown server '$server' (uring, async, nginx)" ;;
  esac
}

declare -A SYSCALLS

# count_syscalls NAME PATH CONNECTIONS: system calls of the
# server's workers per request, from strace -c -f during a short wrk run.
count_syscalls() {
  local name=$1 path=$2 connections=$3 out=$tmp/$1.strace wrk_out=$tmp/$1.strace-wrk kids trace_pid
  command -v "$STRACE" >/dev/null || { SYSCALLS[$name]=n/a; return 0; }
  kids=$(descendants "$pid" | sed 's/^/-p /' | tr '\n' ' ')
  [[ $name == nginx-* ]] || [[ -n $kids ]] || { SYSCALLS[$name]=n/a; return 0; }
  [[ -n $kids ]] || kids="-p $pid"
  # shellcheck disable=SC2086  # one -p per worker
  "$STRACE" -c -f -o "$out" $kids &
  trace_pid=$!
  started+=("$trace_pid")
  sleep 0.5
  run_wrk -t"$THREADS" -c"$connections" -d"${SYSCALL_SECONDS}s" "http://127.0.0.1:$port$path" >"$wrk_out"
  kill -INT "$trace_pid" 2>/dev/null || true
  wait "$trace_pid" 2>/dev/null || true
  SYSCALLS[$name]=$(awk -v r="$(awk '/ requests in / {print $1}' "$wrk_out")" \
    '$NF == "total" {printf "%.2f", $4 / r}' "$out")
}

names=()
# case NAME PATH EXPECT CONNECTIONS [WRK ARGS...]
run_case() {
  local name=$1 path=$2 expect=$3 connections=$4
  shift 4
  WRK_EXTRA=("$@")
  measure "$name" "$path" "$expect" "$connections"
  count_syscalls "$name" "$path" "$connections"
  WRK_EXTRA=()
  names+=("$name")
}

# measure() in lib.sh calls wrk without extra arguments; Connection: close
# needs a header, so wrap wrk for the cases that set WRK_EXTRA.
WRK_REAL=$WRK
wrk_with_extra() { "$WRK_REAL" ${WRK_EXTRA[@]+"${WRK_EXTRA[@]}"} "$@"; }
WRK=wrk_with_extra
WRK_EXTRA=()

for server in $SERVERS; do
  serve "$server" hello
  for c in $HELLO_CONNECTIONS; do run_case "$server-hello-$c" / 'Hello, World!' "$c"; done
  for c in $CLOSE_CONNECTIONS; do run_case "$server-close-$c" / 'Hello, World!' "$c" -H 'Connection: close'; done
  [[ $server == nginx ]] || stop_pid "$pid"
  [[ $server == nginx ]] || serve "$server" file
  path=/; [[ $server == nginx ]] && path=/files/1m.bin
  for c in $FILE_CONNECTIONS; do run_case "$server-file-$c" "$path" 'end of the 1 MiB file' "$c"; done
  stop_pid "$pid"
done

echo
echo "uring: $WORKERS workers each; hello at $HELLO_CONNECTIONS keep-alive connections, Connection: close at" \
  "$CLOSE_CONNECTIONS, a 1 MiB file at $FILE_CONNECTIONS; wrk -t$THREADS -d$DURATION; load average before: $load_before"
report_table "${names[@]}"
echo
printf '%-18s %16s\n' measurement 'syscalls/request'
for name in "${names[@]}"; do printf '%-18s %16s\n' "$name" "${SYSCALLS[$name]:-}"; done
echo
for c in $HELLO_CONNECTIONS; do
  report_ratio "hello $c, uring/async" "uring-hello-$c" "async-hello-$c"
  report_ratio "hello $c, uring/nginx" "uring-hello-$c" "nginx-hello-$c"
done
for c in $CLOSE_CONNECTIONS; do report_ratio "close $c, uring/async" "uring-close-$c" "async-close-$c"; done
for c in $FILE_CONNECTIONS; do report_ratio "file $c, uring/async" "uring-file-$c" "async-file-$c"; done
