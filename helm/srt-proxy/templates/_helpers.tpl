{{/* Chart name, overridable. */}}
{{- define "srt-proxy.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every resource name: release-chart, or the release alone when it already holds the chart name. */}}
{{- define "srt-proxy.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "srt-proxy.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that never change over a release's life: the Deployment selector and the Services use them. */}}
{{- define "srt-proxy.selectorLabels" -}}
app.kubernetes.io/name: {{ include "srt-proxy.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Recommended labels on every resource. */}}
{{- define "srt-proxy.labels" -}}
helm.sh/chart: {{ include "srt-proxy.chart" . }}
{{ include "srt-proxy.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: proxy
app.kubernetes.io/part-of: srt-proxy
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "srt-proxy.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "srt-proxy.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret the pods read: the operator's existing one, or the chart's. */}}
{{- define "srt-proxy.secretName" -}}
{{- default (include "srt-proxy.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/* Literal secret values the chart's own Secret holds (empty ones left out), as JSON. */}}
{{- define "srt-proxy.secretData" -}}
{{- $data := dict }}
{{- if .Values.secrets.cookieSecret }}{{ $_ := set $data "COOKIE_SECRET" .Values.secrets.cookieSecret }}{{ end }}
{{- if .Values.secrets.registerToken }}{{ $_ := set $data "REGISTER_TOKEN" .Values.secrets.registerToken }}{{ end }}
{{- if .Values.redis.password }}{{ $_ := set $data "REDIS_PASSWORD" .Values.redis.password }}{{ end }}
{{- if .Values.redis.sentinel.password }}{{ $_ := set $data "REDIS_SENTINEL_PASSWORD" .Values.redis.sentinel.password }}{{ end }}
{{- toJson $data }}
{{- end }}

{{/* Whether the pods have a Secret to read: the operator's, or the chart's when it holds anything. */}}
{{- define "srt-proxy.hasSecret" -}}
{{- if or .Values.secrets.existingSecret (ne (include "srt-proxy.secretData" .) "{}") }}true{{ end }}
{{- end }}

{{/* terminationGracePeriodSeconds: explicit (and above the drain), or the drain deadline plus 15 s. */}}
{{- define "srt-proxy.terminationGracePeriodSeconds" -}}
{{- $drainSeconds := div (add (int .Values.config.drainTimeoutMs) 999) 1000 }}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add $drainSeconds 15 }}
{{- else if le (int .Values.terminationGracePeriodSeconds) (int $drainSeconds) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must exceed config.drainTimeoutMs (%v s), or Kubernetes kills streams mid-drain" .Values.terminationGracePeriodSeconds $drainSeconds) }}
{{- else }}
{{- .Values.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{/* balancer.provider=redis needs exactly one of redis.url, redis.sentinel.nodes, redis.cluster.nodes. */}}
{{- define "srt-proxy.validateRedis" -}}
{{- if eq .Values.balancer.provider "redis" }}
{{- $modes := 0 }}
{{- if .Values.redis.url }}{{ $modes = add1 $modes }}{{ end }}
{{- if .Values.redis.sentinel.nodes }}{{ $modes = add1 $modes }}{{ end }}
{{- if .Values.redis.cluster.nodes }}{{ $modes = add1 $modes }}{{ end }}
{{- if ne (int $modes) 1 }}
{{- fail "balancer.provider=redis needs exactly one of redis.url, redis.sentinel.nodes, redis.cluster.nodes" }}
{{- end }}
{{- end }}
{{- end }}

{{/* A probe from its values block. */}}
{{- define "srt-proxy.probe" -}}
httpGet:
  path: {{ .path }}
  port: http
initialDelaySeconds: {{ .initialDelaySeconds }}
periodSeconds: {{ .periodSeconds }}
timeoutSeconds: {{ .timeoutSeconds }}
failureThreshold: {{ .failureThreshold }}
successThreshold: {{ .successThreshold }}
{{- end }}
