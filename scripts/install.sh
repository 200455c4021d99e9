#!/usr/bin/env bash
# Installs what the proxy needs to run: Node.js >= 22.12 (Node 24 when it has to install one) and the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node.sh
npm ci --no-audit --no-fund
