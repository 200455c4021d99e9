#!/usr/bin/env bash
# Installs what the proxy needs to run: Node.js >= 22.12 (Node 24 when it has to install one), what node-gyp needs
# to build the native data path during `npm ci` (python3, make, g++; Debian packages, as root), and the npm
# dependencies. Without the build tools (not root, not Debian) it still installs: the proxy then runs on the
# TypeScript data path and says so at start-up.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node.sh
need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v make >/dev/null 2>&1 || need+=(make)
command -v g++ >/dev/null 2>&1 || need+=(g++)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "install: installing ${need[*]} (to build the native data path)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "install: WARNING: ${need[*]} missing and not installable here (root on Debian: apt-get install python3 make g++); the native data path will not build" >&2
  fi
fi
npm ci --no-audit --no-fund
