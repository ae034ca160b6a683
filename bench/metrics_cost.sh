#!/usr/bin/env bash
# bench/metrics_cost.sh: what the metrics cost. One hornet binary, hello,
# with metrics off and on (--metrics-bind on loopback, so every request is
# counted and every connection's queue time taken from the kernel), in turns
# (off, on, off, on, ...) in one run, for each worker type; a scraper reads
# /metrics once a second meanwhile, as Prometheus would. The report gives the
# medians and on/off ratios of requests/s and of the server's CPU time per
# request (arbiter and workers, from /proc). The target: CPU per request
# within 3 %.
# Usage: bench/metrics_cost.sh
# Knobs: HORNET (default build/bin/hornet), CASES (sync gthread async),
# ROUNDS (5), WORKERS (2), THREADS (wrk threads, 2), CONNECTIONS (50),
# DURATION (5s), WARMUP (1s), KEEP.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HORNET=${HORNET:-$here/../build/bin/hornet}
WRK=${WRK:-wrk}
WORKERS=${WORKERS:-2}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-1s}
ROUNDS=${ROUNDS:-5}
CASES=${CASES:-sync gthread async}
KEEP=${KEEP:-}

source "$here/lib.sh"
bench_init

args_for() {  # CASE: the hornet arguments
  case $1 in
    sync) echo "-k sync hello" ;;
    gthread) echo "-k gthread --threads 4 hello" ;;
    async) echo "-k async hello" ;;
    *) die "unknown case '$1'" ;;
  esac
}

# A scrape a second while the server runs (its CPU is the arbiter's, and counted).
scraper=
start_scraper() {
  local url=$1
  (while :; do curl -fsS -o /dev/null "$url" || true; sleep 1; done) &
  scraper=$!
}
stop_scraper() {
  [[ -n $scraper ]] && kill "$scraper" 2>/dev/null && wait "$scraper" 2>/dev/null || true
  scraper=
}
trap 'stop_scraper; cleanup' EXIT

names=()
for case in $CASES; do
  for ((round = 1; round <= ROUNDS; round++)); do
    for side in off on; do
      extra=()
      [[ $side == on ]] && extra=(--metrics-bind 127.0.0.1:0)
      # shellcheck disable=SC2046
      start "$side-$case" "$WORKERS" "$HORNET" -b 127.0.0.1:0 -w "$WORKERS" "${extra[@]}" $(args_for "$case")
      if [[ $side == on ]]; then
        murl=$(grep -m1 -o 'Metrics at: http://[^ ]*' "$tmp/$side-$case.log")
        start_scraper "${murl#Metrics at: }"
      fi
      measure "$side-$case#$round" / 'Hello, World!' "$CONNECTIONS"
      stop_scraper
      stop_pid "$pid"
    done
  done
  for side in off on; do take_median "$side-$case" "$ROUNDS"; names+=("$side-$case"); done
done

rounds=()
for case in $CASES; do for ((round = 1; round <= ROUNDS; round++)); do rounds+=("off-$case#$round" "on-$case#$round"); done; done
echo
echo "every round:"
report_table "${rounds[@]}"
echo
echo "metrics cost: $WORKERS workers, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, medians of $ROUNDS interleaved rounds"
echo "hornet: $HORNET"
report_table "${names[@]}"
echo
for case in $CASES; do report_ratio "$case, metrics on/off" "on-$case" "off-$case"; done
