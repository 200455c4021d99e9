#!/usr/bin/env bash
# Installs everything the tests need on Debian, as root: Node.js, npm packages, and the real peers
# (ffmpeg with libsrt, srt-tools for srt-live-transmit, redis-server, python3 for raw-socket tests). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v srt-live-transmit >/dev/null 2>&1 || need+=(srt-tools)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  echo "install-test-deps: installing ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
bash scripts/install.sh
