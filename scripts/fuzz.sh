#!/usr/bin/env bash
# Fuzzes the native data path's packet classification (native/src/srt_packet.h) with libFuzzer for SECONDS
# (default 60): fuzz/srt_packet_fuzz.c checks every function against the TypeScript reference's rules, so a wrong
# answer fails like a crash does. Seeds: the captured handshakes and built packets (fuzz/seeds.ts); the corpus grows
# in .cache/fuzz/corpus across runs. Exits non-zero on any crash, sanitizer report or broken invariant, leaving the
# input in .cache/fuzz/ (crash-*) and its name in the output. Prints executions/s and the corpus size.
#
# Needs clang with libFuzzer and the sanitizers (Debian: apt-get install clang-14 libclang-rt-14-dev; CLANG to
# use another) and `npm run build:test` (for dist/fuzz/seeds.js; built here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "fuzz: $*" >&2; }
seconds=${1:-60}
clang=${CLANG:-$(command -v clang-14 || command -v clang || true)}
[ -n "$clang" ] || { say "FAIL: clang missing (Debian: apt-get install clang-14 libclang-rt-14-dev)"; exit 1; }
# The sources that define the pure readers (a definition starts its line; calls are indented), and nothing that
# needs node.
mapfile -t sources < <(grep -lE '^([a-z][a-z0-9_]* +\**)?srt_(pkt_classify|ack_read|nak_loss_count) *\(' native/src/*.c 2>/dev/null || true)
[ ${#sources[@]} -gt 0 ] || { say "FAIL: no native/src/*.c defines srt_pkt_classify, srt_ack_read or srt_nak_loss_count"; exit 1; }
work=.cache/fuzz
mkdir -p "$work/corpus" "$work/seeds"
bin="$work/srt_packet_fuzz"
"$clang" -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -Inative/src fuzz/srt_packet_fuzz.c "${sources[@]}" -o "$bin" 2>"$work/build.log" ||
  { cat "$work/build.log" >&2; say "FAIL: the harness did not build (libFuzzer: apt-get install libclang-rt-14-dev)"; exit 1; }
[ -f dist/fuzz/seeds.js ] || npx tsc -p tsconfig.json
rm -f "$work"/seeds/*
node dist/fuzz/seeds.js "$work/seeds" >&2
log="$work/run.log"
say "running $bin for ${seconds} s over ${sources[*]}"
set +e
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=5 -rss_limit_mb=1024 -max_len=2048 \
  -artifact_prefix="$work/" "$work/corpus" "$work/seeds" >"$log" 2>&1
rc=$?
set -e
execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
units=$(find "$work/corpus" -type f | wc -l)
bytes=$(du -sb "$work/corpus" | cut -f1)
cov=$(awk 'match($0, /cov: [0-9]+ ft: [0-9]+/) {c = substr($0, RSTART, RLENGTH)} END {print c}' "$log")
if [ $rc -ne 0 ]; then
  awk '/ERROR|fuzz invariant|SUMMARY|Test unit written|runtime error|READ of|WRITE of|^    #[0-3] / && n++ < 20' "$log" >&2
  say "FAIL: exit $rc after ${execs:-?} executions (log: $log)"
  exit 1
fi
say "OK: ${execs} executions in ${seconds} s, ${rate} exec/s; corpus ${units} inputs (${bytes} bytes); ${cov}; no crash, no sanitizer report, no invariant broken"
