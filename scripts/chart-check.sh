#!/usr/bin/env bash
# Checks the Helm chart against real Kubernetes schemas, offline: helm lint, helm template with the default values
# and each helm/srt-proxy/ci/*-values.yaml, kubeconform -strict on every rendering for each Kubernetes version in
# K8S_VERSIONS (a missing schema fails, it is never skipped), what each rendering must contain, and that the
# check can fail at all (a bogus field, a bogus value, an impossible setting are each rejected).
#
# Tools, pinned, built or fetched once into .cache/ (git-ignored): helm and kubeconform with `go install` (through
# the Go module proxy; helm takes about 150 s and 1.1 GB), the Kubernetes JSON schemas from the PyPI package
# kubernetes-validate (`pip install --target`, not system-wide) with their $refs pointed at the local
# _definitions.json, since kubeconform's default schema download (GitHub) is not reachable here.
# `--tools-only` gets the tools and schemas and stops (scripts/install-test-deps.sh runs that).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
t_start=$SECONDS
say() { echo "chart-check: $*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.8.0
KUBERNETES_VALIDATE_VERSION=1.37.0
# The chart's kubeVersion floor and the newest schemas kubernetes-validate ships.
K8S_VERSIONS=${K8S_VERSIONS:-"1.29.0 1.37.0"}
chart=helm/srt-proxy
cache=$repo/.cache
tools=$cache/tools
export HELM_CACHE_HOME=$cache/helm/cache HELM_CONFIG_HOME=$cache/helm/config HELM_DATA_HOME=$cache/helm/data

# --- tools -------------------------------------------------------------------------------------------------------
go=$(bash scripts/ensure-go.sh) || fail "no go >= 1.26 (scripts/ensure-go.sh)"
go_install() { # name module version
  local dir="$tools/$1-$3"
  if [ ! -x "$dir/$1" ]; then
    local t0=$SECONDS
    say "building $1 $3 with go install $2@$3"
    GOBIN="$dir" GOFLAGS=-mod=mod GOTOOLCHAIN=local "$go" install "$2@$3" >&2 || fail "go install $2@$3 failed"
    say "built $1 in $((SECONDS - t0)) s"
  fi
  echo "$dir/$1"
}
helm=$(go_install helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION")
kubeconform=$(go_install kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION")

kv="$cache/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION"
if [ ! -d "$kv/kubernetes_validate/kubernetes-json-schema" ]; then
  python3 -m pip --version >/dev/null 2>&1 || fail "pip is needed for the Kubernetes schemas: apt-get install -y python3-pip"
  say "fetching the Kubernetes schemas: pip install --target $kv kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
  rm -rf "$kv"
  python3 -m pip install -q --disable-pip-version-check --no-deps --target "$kv" \
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2 || fail "pip install kubernetes-validate failed"
fi
schema_dir() { # version -> a copy of its strict schemas whose $refs point at the local _definitions.json
  local version=$1 src="$kv/kubernetes_validate/kubernetes-json-schema/v$1-local-strict" dst="$cache/k8s-schemas/v$1-strict"
  [ -f "$src/_definitions.json" ] || fail "kubernetes-validate $KUBERNETES_VALIDATE_VERSION has no schemas for Kubernetes $version"
  if [ ! -f "$dst/.rewritten" ]; then
    rm -rf "$dst" && mkdir -p "$dst"
    cp "$src"/*.json "$dst/"
    find "$dst" -name '*.json' -print0 | xargs -0 sed -i "s#\"/api/_definitions.json#\"file://$dst/_definitions.json#g"
    grep -rlq '"/api/_definitions.json' "$dst" && fail "some \$refs in $dst still point at /api/_definitions.json"
    touch "$dst/.rewritten"
  fi
  echo "$dst"
}
if [ "${1:-}" = --tools-only ]; then
  for version in $K8S_VERSIONS; do schema_dir "$version" >/dev/null; done
  say "tools ready in $((SECONDS - t_start)) s: $helm, $kubeconform, schemas for Kubernetes $K8S_VERSIONS"
  exit 0
fi
say "helm $HELM_VERSION, kubeconform $KUBECONFORM_VERSION, schemas from kubernetes-validate $KUBERNETES_VALIDATE_VERSION for Kubernetes $K8S_VERSIONS"

out=$(mktemp -d /tmp/srt-proxy-chart-check.XXXXXX)
trap 'rm -rf "$out"' EXIT

# --- lint, render and validate, per Kubernetes version ------------------------------------------------------------
# Self-built helm would assume Kubernetes 1.20 (no version is stamped in by go install): say which one, always.
renderings=(default)
for f in "$chart"/ci/*-values.yaml; do renderings+=("$(basename "$f" -values.yaml)"); done
values_args() { [ "$1" = default ] || echo "-f $chart/ci/$1-values.yaml"; }

validate() { # version file -> kubeconform's summary; fails unless every resource is valid
  local dir summary
  dir=$(schema_dir "$1")
  summary=$("$kubeconform" -strict -summary -schema-location "$dir/{{ .ResourceKind }}{{ .KindSuffix }}.json" "$2" 2>&1) || {
    echo "$summary"
    return 1
  }
  echo "$summary"
}

for version in $K8S_VERSIONS; do
  for r in "${renderings[@]}"; do
    # shellcheck disable=SC2046 # values_args prints nothing or `-f FILE`
    "$helm" lint --strict --kube-version "$version" "$chart" $(values_args "$r") >"$out/lint.txt" 2>&1 ||
      { cat "$out/lint.txt" >&2; fail "helm lint (Kubernetes $version, $r values)"; }
    # shellcheck disable=SC2046
    "$helm" template srt-proxy "$chart" --namespace media --kube-version "$version" $(values_args "$r") >"$out/$r.yaml" 2>"$out/template.txt" ||
      { cat "$out/template.txt" >&2; fail "helm template (Kubernetes $version, $r values)"; }
    summary=$(validate "$version" "$out/$r.yaml") || { echo "$summary" >&2; fail "kubeconform -strict, Kubernetes $version, $r values"; }
    echo "$summary" | grep -Eq 'Invalid: 0, Errors: 0, Skipped: 0' || fail "kubeconform did not validate everything: $summary"
    say "helm lint --strict, helm template, kubeconform -strict, Kubernetes $version, $r values: ${summary##*Summary: } ($(grep '^kind:' "$out/$r.yaml" | awk '{print $2}' | sort | tr '\n' ' '| sed 's/ $//'))"
  done
done

# --- what each rendering must hold ---------------------------------------------------------------------------------
has() { grep -Eq -- "$2" "$out/$1.yaml" || fail "$1 rendering lacks /$2/"; }
lacks() { if grep -Eq -- "$2" "$out/$1.yaml"; then fail "$1 rendering has /$2/"; fi; }
has default 'kind: PodDisruptionBudget'
lacks default 'kind: HorizontalPodAutoscaler'
lacks default 'kind: Secret$'
has default 'externalTrafficPolicy: Local'
has default 'type: LoadBalancer'
has default 'protocol: UDP'
has default 'readOnlyRootFilesystem: true'
has default 'allowPrivilegeEscalation: false'
has default 'runAsNonRoot: true'
has default 'type: RuntimeDefault'
has default '- ALL'
has default 'terminationGracePeriodSeconds: 40$'
has default 'startupProbe:'
has default 'path: /readyz'
has default 'value: "memory"'
lacks default 'REDIS_'
lacks default 'name: WORKERS'
has redis 'kind: HorizontalPodAutoscaler'
has redis 'stabilizationWindowSeconds: 900'
lacks redis 'kind: Secret$'
has redis 'value: "redis://redis-master.redis.svc.cluster.local:6379"'
has redis 'name: srt-proxy-secrets'
has redis 'terminationGracePeriodSeconds: 3615$'
has redis 'value: "3600000"'
lacks redis '^  replicas:'
has redis 'name: WORKERS'
has redis 'value: "4"'
has sentinel 'kind: Secret$'
has sentinel 'value: "redis-sentinel-0.redis-sentinel:26379,redis-sentinel-1.redis-sentinel:26379,redis-sentinel-2.redis-sentinel:26379"'
has sentinel 'value: "srt-master"'
has sentinel 'REDIS_SENTINEL_PASSWORD: "c2VudGluZWwtcGFzc3dvcmQtZm9yLWNp"'
has sentinel 'terminationGracePeriodSeconds: 120$'
has sentinel 'nodePort: 30080'
lacks sentinel 'sentinel-password-for-ci'
has cluster 'value: "redis-cluster-0.redis-cluster-headless:6379,redis-cluster-1.redis-cluster-headless:6379,redis-cluster-2.redis-cluster-headless:6379"'
lacks cluster 'externalTrafficPolicy'
lacks default 'DATA_PATH'
has cluster 'name: DATA_PATH'
has cluster 'value: "js"'
say "renderings hold the expected resources, security context, probes, grace periods, Redis modes and secrets"

# --- NOTES.txt: renders, and warns about replicas that cannot share stickiness ------------------------------------
# helm template skips NOTES.txt; a scratch copy of the chart renders it as a manifest field instead.
notes() { # helm-template-args... -> NOTES.txt as `helm install` would print it
  rm -rf "$out/notes-chart" && cp -r "$chart" "$out/notes-chart"
  { echo '{{- define "srt-proxy.notes-check" }}'; cat "$chart/templates/NOTES.txt"; echo '{{- end }}'; } >"$out/notes-chart/templates/_notes-check.tpl"
  echo 'notes: {{ include "srt-proxy.notes-check" . | b64enc }}' >"$out/notes-chart/templates/notes-check.yaml"
  rm "$out/notes-chart/templates/NOTES.txt"
  "$helm" template srt-proxy "$out/notes-chart" --kube-version "${K8S_VERSIONS%% *}" --show-only templates/notes-check.yaml "$@" |
    awk '$1=="notes:" {print $2}' | base64 -d
}
notes >"$out/notes-default.txt" || fail "NOTES.txt does not render"
grep -q "SRT (UDP) entry point" "$out/notes-default.txt" || fail "NOTES.txt rendered empty"
if grep -q WARNING "$out/notes-default.txt"; then fail "NOTES.txt warns with the default values"; fi
notes --set replicaCount=3 >"$out/notes-replicas.txt"
grep -q "WARNING: replicaCount is 3 with balancer.provider=memory" "$out/notes-replicas.txt" || { cat "$out/notes-replicas.txt" >&2; fail "NOTES.txt does not warn about 3 replicas on the memory provider"; }
notes -f "$chart/ci/redis-values.yaml" >"$out/notes-redis.txt"
if grep -q "balancer.provider=memory" "$out/notes-redis.txt"; then fail "NOTES.txt warns about the memory provider with Redis"; fi
say "NOTES.txt renders; it warns for 3 replicas on the memory provider: $(grep -m1 WARNING "$out/notes-replicas.txt")"

# --- the check can fail --------------------------------------------------------------------------------------------
# A bogus field in the Deployment's pod spec must be rejected by kubeconform -strict.
awk '/^kind: Deployment/ {d=1} d && /^    spec:$/ && !done {print; print "      bogusField: true"; done=1; next} {print}' \
  "$out/default.yaml" >"$out/bogus.yaml"
grep -q 'bogusField' "$out/bogus.yaml" || fail "could not plant the bogus field"
if bogus=$(validate "${K8S_VERSIONS%% *}" "$out/bogus.yaml"); then fail "kubeconform accepted a bogus field: $bogus"; fi
say "a bogus Deployment field is rejected: $(echo "$bogus" | grep -m1 -o 'additional properties .*not allowed\|bogusField[^"]*' || echo "$bogus" | head -1)"
must_refuse() { # description expected-error-regex helm-template-args...
  local what=$1 expected=$2; shift 2
  if "$helm" template srt-proxy "$chart" --kube-version "${K8S_VERSIONS%% *}" "$@" >"$out/refused.yaml" 2>"$out/refused.txt"; then
    fail "helm template accepted $what"
  fi
  grep -Eq -- "$expected" "$out/refused.txt" || { cat "$out/refused.txt" >&2; fail "$what was refused for another reason than /$expected/"; }
  say "refused $what: $(grep -m1 -oE -- "$expected.*" "$out/refused.txt" | cut -c1-150)"
}
must_refuse "an unknown value (bogus=1)" "additional properties 'bogus' not allowed" --set bogus=1
must_refuse "an unknown provider (balancer.provider=etcd)" "/balancer/provider': value must be one of" --set balancer.provider=etcd
must_refuse "an unknown data path (config.dataPath=c)" "/config/dataPath': value must be one of" --set config.dataPath=c
must_refuse "a short cookie secret" "/secrets/cookieSecret': 'anyOf' failed" --set secrets.cookieSecret=short
must_refuse "provider redis without Redis" "balancer.provider=redis needs exactly one of" --set balancer.provider=redis
must_refuse "no worker at all (workers=0)" "/workers': minimum" --set workers=0
must_refuse "a grace period below the drain" "terminationGracePeriodSeconds \(10\) must exceed" --set terminationGracePeriodSeconds=10

say "OK in $((SECONDS - t_start)) s"
