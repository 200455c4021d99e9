#!/usr/bin/env bash
# Prints the path of a `go` >= 1.26 (the chart check builds helm and kubeconform with it). Uses the machine's when it
# is new enough; otherwise fetches Go's own toolchain module (golang.org/toolchain, the one `GOTOOLCHAIN` switching
# downloads) from the Go module proxy once into .cache/, checked against a pinned SHA-256. Debian 12 packages only
# Go 1.19, so a fresh machine takes the second path.
set -euo pipefail
cd "$(dirname "$0")/.."

GO_TOOLCHAIN=go1.26.11
GO_TOOLCHAIN_SHA256=e1edb778de0aa08c8e827f5a873b35a46afe680fb241482c531725b2355e470d # linux-amd64 module zip

go_ok() { # path
  local v
  v=$("$1" env GOVERSION 2>/dev/null) || return 1
  v=${v#go}
  local major=${v%%.*} rest=${v#*.}
  local minor=${rest%%.*}
  [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "${minor%%[!0-9]*}" -ge 26 ]; }
}

if command -v go >/dev/null 2>&1 && go_ok "$(command -v go)"; then
  command -v go
  exit 0
fi

[ "$(uname -m)" = x86_64 ] || { echo "ensure-go: no go >= 1.26 on PATH and no pinned toolchain for $(uname -m)" >&2; exit 1; }
module="golang.org/toolchain@v0.0.1-$GO_TOOLCHAIN.linux-amd64"
dir="$PWD/.cache/$GO_TOOLCHAIN"
if [ ! -x "$dir/$module/bin/go" ]; then
  proxy=$(printf '%s' "${GOPROXY:-https://proxy.golang.org}" | cut -d, -f1)
  case "$proxy" in direct | off | '') proxy=https://proxy.golang.org ;; esac
  url="$proxy/golang.org/toolchain/@v/v0.0.1-$GO_TOOLCHAIN.linux-amd64.zip"
  echo "ensure-go: fetching $GO_TOOLCHAIN from the Go module proxy ($url)" >&2
  rm -rf "$dir" && mkdir -p "$dir"
  curl -fsSL --retry 3 -o "$dir/toolchain.zip" "$url"
  echo "$GO_TOOLCHAIN_SHA256  $dir/toolchain.zip" | sha256sum -c --quiet - ||
    { echo "ensure-go: checksum mismatch for $url" >&2; rm -rf "$dir"; exit 1; }
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$dir/toolchain.zip" "$dir"
  rm -f "$dir/toolchain.zip"
  # Zip entries carry no permission bits that extractall keeps.
  chmod +x "$dir/$module/bin/"* "$dir/$module/pkg/tool/"*/*
fi
go_ok "$dir/$module/bin/go" || { echo "ensure-go: the fetched toolchain does not run" >&2; exit 1; }
echo "$dir/$module/bin/go"
