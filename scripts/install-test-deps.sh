#!/usr/bin/env bash
# Installs everything the tests need on Debian, as root: Node.js, npm packages, and the real peers
# (ffmpeg with libsrt, srt-tools for srt-live-transmit, redis-server, python3 for raw-socket tests), the native
# data path's build tools (python3, make, g++; g++ brings gcc's libasan for the ASan pass), gcc and prlimit
# (util-linux) for the native send-refusal and fd-exhaustion tests, clang-14 with
# libclang-rt-14-dev (libFuzzer and its sanitizers, for scripts/fuzz.sh), the container check's engine and
# base-image tools (docker.io, debootstrap, iptables) and pip for the chart check's schemas.
# The chart check builds helm and kubeconform with go >= 1.26 (scripts/ensure-go.sh fetches Go's toolchain module
# from the Go module proxy when the machine has none that new: Debian 12 packages 1.19). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v srt-live-transmit >/dev/null 2>&1 || need+=(srt-tools)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v make >/dev/null 2>&1 || need+=(make)
command -v g++ >/dev/null 2>&1 || need+=(g++)
# gcc builds the send-refusal tests' LD_PRELOAD shim (test/support/send-fault-shim.c); prlimit (util-linux) lowers
# a running proxy's RLIMIT_NOFILE in the fd-exhaustion test.
command -v gcc >/dev/null 2>&1 || need+=(gcc)
command -v prlimit >/dev/null 2>&1 || need+=(util-linux)
command -v clang-14 >/dev/null 2>&1 || need+=(clang-14)
dpkg -s libclang-rt-14-dev >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
# Debian's docker client (not a newer one that may come first on PATH) and dockerd.
[ -x /usr/bin/docker ] && command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  echo "install-test-deps: installing ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
bash scripts/install.sh
# UDP receive/send buffers of 4 MiB, as README "SRT_RECV_BUFFER_BYTES" recommends for production: the relay tests
# fill a socket's backlog on purpose (a loop turn blocked while 900 datagrams arrive), and the kernel caps every
# SO_RCVBUF at net.core.rmem_max (Linux's default is 208 KiB). Only raised, never lowered.
for key in net.core.rmem_max net.core.wmem_max; do
  if [ "$(sysctl -n "$key")" -lt 4194304 ]; then
    sysctl -q -w "$key=4194304" || echo "install-test-deps: could not raise $key to 4194304: the native backlog tests will fail" >&2
  fi
done
# helm and kubeconform (go install, pinned) and the Kubernetes schemas (PyPI) for the chart check, into .cache/.
bash scripts/chart-check.sh --tools-only
