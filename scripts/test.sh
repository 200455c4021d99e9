#!/usr/bin/env bash
# `npm test` (what .ci/run calls): one build, then every pass in turn, each announced, timed and counted:
#   1. unit + e2e + deploy on the default data path (native; test/e2e/native-addon.test.ts fails when the addon did
#      not build, so this pass cannot go green on the TypeScript fallback),
#   2. e2e with DATA_PATH=js (the fallback passes the same suite),
#   3. e2e against the AddressSanitizer build of the addon (scripts/build-native-asan.sh; any ASan/UBSan report
#      aborts the process that made it, which fails its test),
#   4. a short libFuzzer run of the addon's packet classification (scripts/fuzz.sh, FUZZ_SECONDS, default 45).
# Every pass runs even when an earlier one failed; the exit code is non-zero when any did.
# SRT_PROXY_TEST_SKIP_DEPLOY=1 leaves test/deploy out of pass 1 (it starts and stops the machine's dockerd; for
# machines where several checkouts test at once) and says so in the summary.
set -uo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${FUZZ_SECONDS:-45}
t_all=$SECONDS
logs=$(mktemp -d /tmp/srt-proxy-test.XXXXXX)
summary=()
failures=()
failed=0

banner() { printf '\n=== npm test: %s ===\n\n' "$*"; }
files() { find "$@" -name '*.test.js' | sort; }
node_test() { node --test --test-reporter=spec --test-concurrency=1 "$@"; }
# name, command...: runs it with its output shown and kept, records time, node:test's counts and the exit code.
run_pass() {
  local name=$1 t0=$SECONDS rc counts
  shift
  banner "$name"
  "$@" 2>&1 | tee "$logs/pass.log"
  rc=${PIPESTATUS[0]}
  counts=$(awk '/^ℹ (tests|pass|fail) [0-9]+$/ {printf "%s%s %s", (n++ ? ", " : ""), $2, $3}' "$logs/pass.log")
  summary+=("$(printf '%-4s %-52s %4d s  %s' "$([ "$rc" = 0 ] && echo ok || echo FAIL)" "$name" $((SECONDS - t0)) "$counts")")
  [ "$rc" = 0 ] || { failed=1; failures+=("$(failure_digest "$name" "$logs/pass.log")"); }
}
# What failed, repeated at the very end where a reader of the log's tail sees it: node:test's "failing tests"
# section (names and the start of each error) and any script's own "FAIL:" line, which may sit deep in an error.
failure_digest() { # pass-name log
  printf -- '--- %s: what failed ---\n' "$1"
  awk '/^✖ failing tests:/ {f = 1} f' "$2" | cut -c1-240 | head -40
  grep -E '^[[:space:]]*[a-z-]+: FAIL: ' "$2" | cut -c1-400 | head -10
}

banner "build (tsc, once for every pass)"
npm run build:test || exit 1

pass1=(dist/test/unit dist/test/e2e dist/test/deploy)
if [ "${SRT_PROXY_TEST_SKIP_DEPLOY:-}" = 1 ]; then
  pass1=(dist/test/unit dist/test/e2e)
  summary+=("NOT RUN: test/deploy (SRT_PROXY_TEST_SKIP_DEPLOY=1)")
fi
# Each pass sets its environment in the subshell run_pass's pipeline gives it, so nothing leaks into the next.
# shellcheck disable=SC2046 # one test file per word
native_pass() { unset DATA_PATH SRT_PROXY_NATIVE_ADDON; node_test $(files "${pass1[@]}"); }
# shellcheck disable=SC2046
js_pass() { export DATA_PATH=js; unset SRT_PROXY_NATIVE_ADDON; node_test $(files dist/test/e2e); }
asan_env="$logs/asan.env"
# shellcheck disable=SC1090,SC2046
asan_pass() {
  bash scripts/build-native-asan.sh --env >"$asan_env" && . "$asan_env" &&
    env | grep -E '^(LD_PRELOAD|ASAN_OPTIONS|SRT_PROXY_NATIVE_ADDON|DATA_PATH)=' && node_test $(files dist/test/e2e)
}
run_pass "1/4 unit + e2e + deploy, default data path (native)" native_pass
run_pass "2/4 e2e, DATA_PATH=js (the TypeScript fallback)" js_pass
run_pass "3/4 e2e against the ASan+UBSan build of the addon" asan_pass
run_pass "4/4 fuzz: libFuzzer over srt_packet.h for ${fuzz_seconds} s" bash scripts/fuzz.sh "$fuzz_seconds"

printf '\n=== npm test: summary (%d s in all) ===\n' $((SECONDS - t_all))
printf '%s\n' "${summary[@]}"
[ ${#failures[@]} -eq 0 ] || printf '\n%s\n' "${failures[@]}"
rm -rf "$logs"
exit $failed
