#!/usr/bin/env bash
# bench/compare.sh: two hornet binaries, interleaved in one run, so that a
# change is judged by the same machine at the same time (a refactor must not
# cost CPU per request). For each case below, BASE and HORNET take turns
# ROUNDS times; the report gives the medians and HORNET/BASE ratios.
#   sync     hello, -k sync, WORKERS workers (closes per request)
#   gthread  hello, -k gthread --threads 4 (keep-alive)
#   async    hello, -k async (the app runs on the loop)
#   pool     the plain WSGI hello, -k async --threads 8: a blocking app on
#            async's pool, beside pool-gthread (the same app on gthread),
#            which is what the pool path is held to
# Usage: BASE=/path/to/old/build/bin/hornet bench/compare.sh
# Knobs: HORNET (default build/bin/hornet), CASES, ROUNDS (3), WORKERS (2),
# THREADS (wrk threads, 2), CONNECTIONS (50), DURATION (5s), WARMUP (1s).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HORNET=${HORNET:-$here/../build/bin/hornet}
BASE=${BASE:?set BASE to the hornet binary to compare against}
WRK=${WRK:-wrk}
WORKERS=${WORKERS:-2}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-1s}
ROUNDS=${ROUNDS:-3}
CASES=${CASES:-sync gthread async pool pool-gthread}
KEEP=${KEEP:-}

source "$here/lib.sh"
bench_init

wsgi_config() {
  local file=$tmp/wsgi.yaml
  printf 'app: wsgi\napp_config:\n  module: "wsgi_hello:app"\n  pythonpath: "%s"\n' "$here" >"$file"
  echo "$file"
}

args_for() {  # CASE: the hornet arguments
  case $1 in
    sync) echo "-k sync hello" ;;
    gthread) echo "-k gthread --threads 4 hello" ;;
    async) echo "-k async hello" ;;
    pool) echo "-k async --threads 8 -c $(wsgi_config)" ;;
    pool-gthread) echo "-k gthread --threads 8 -c $(wsgi_config)" ;;
    *) die "unknown case '$1'" ;;
  esac
}

names=()
for case in $CASES; do
  for ((round = 1; round <= ROUNDS; round++)); do
    for side in base new; do
      bin=$HORNET
      [[ $side == base ]] && bin=$BASE
      # shellcheck disable=SC2046
      start "$side-$case" "$WORKERS" "$bin" -b 127.0.0.1:0 -w "$WORKERS" $(args_for "$case")
      measure "$side-$case#$round" / 'Hello, World!' "$CONNECTIONS"
      stop_pid "$pid"
    done
  done
  for side in base new; do take_median "$side-$case" "$ROUNDS"; names+=("$side-$case"); done
done

echo
echo "compare: $WORKERS workers, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, medians of $ROUNDS interleaved rounds"
echo "base: $BASE"
echo "new:  $HORNET"
report_table "${names[@]}"
echo
for case in $CASES; do report_ratio "$case, new/base" "new-$case" "base-$case"; done
if [[ " $CASES " == *" pool "* && " $CASES " == *" pool-gthread "* ]]; then
  report_ratio "blocking app, async pool/gthread (new)" new-pool new-pool-gthread
fi
