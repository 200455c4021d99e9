#!/usr/bin/env bash
# Installs what the proxy needs to run: Node.js >= 20.19 and the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node.sh
npm ci --no-audit --no-fund
