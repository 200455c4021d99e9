#!/usr/bin/env bash
# Makes sure a Node.js >= 20.19 is on PATH (NestJS 12 needs it). On a fresh Debian it installs Debian's nodejs/npm
# and, when that is too old (Debian 12 ships 18), the current LTS from the npm registry's `node` package.
set -euo pipefail

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=12)||(a===21)||(a===20&&b>=19)?0:1)'
}

if node_ok && command -v npm >/dev/null 2>&1; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "ensure-node: installing Debian's nodejs and npm" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if ! node_ok; then
  echo "ensure-node: $(node -v 2>/dev/null || echo 'no node') is too old; installing Node.js 22 from the npm registry" >&2
  npm install -g --no-audit --no-fund node@22 >/dev/null
  hash -r
fi
node_ok || { echo "ensure-node: Node.js >= 20.19 is required, found $(node -v)" >&2; exit 1; }
