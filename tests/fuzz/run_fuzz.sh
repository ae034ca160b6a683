#!/bin/sh
# tests/fuzz/run_fuzz.sh SOURCE_DIR WORK_DIR [SECONDS [TARGET]]: build the
# fuzz TARGET (default fuzz_request_parser) with clang in WORK_DIR/build and
# run it for SECONDS (default 60) on its seed corpus (SOURCE_DIR/corpus for
# the request parser, SOURCE_DIR/corpus_websocket for fuzz_websocket; read
# only; new inputs go to WORK_DIR/corpus). Exits non-zero on a crash, a sanitizer report, a leak,
# a timeout (5 s per input) or a build failure; the input that did it is in
# WORK_DIR/artifacts/ and is printed, escaped, for the log.
set -eu
src=$(cd "$1" && pwd)
work=$2
seconds=${3:-60}
target=${4:-fuzz_request_parser}
seeds=corpus
[ "$target" = fuzz_request_parser ] || seeds=corpus_${target#fuzz_}
mkdir -p "$work"
work=$(cd "$work" && pwd)

CC=${HORNET_FUZZ_CC:-clang} CXX=${HORNET_FUZZ_CXX:-clang++} \
  cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" -j 2 --target "$target"

rm -rf "$work/corpus" "$work/artifacts"
mkdir -p "$work/corpus" "$work/artifacts"
status=0
"$work/build/$target" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=8192 \
  -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "$src/$seeds" || status=$?
for a in "$work"/artifacts/*; do
  [ -e "$a" ] || continue
  echo "fuzz: failing input $a:"
  od -c "$a" | head -40
done
exit "$status"
