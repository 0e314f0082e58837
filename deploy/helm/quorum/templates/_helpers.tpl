{{- define "quorum.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "quorum.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "quorum.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "quorum.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: quorum
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* selector labels of one component: web | collector | sqlite */}}
{{- define "quorum.selectorLabels" -}}
app.kubernetes.io/name: {{ include "quorum.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "quorum.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}
{{- end -}}

{{- define "quorum.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "quorum.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Service name of the web app: the sqlite pod serves it too. */}}
{{- define "quorum.webService" -}}
{{- include "quorum.fullname" . -}}
{{- end -}}

{{/* Refuse settings that cannot work, with a message that says what to do. */}}
{{- define "quorum.validate" -}}
{{- $db := .Values.database.type -}}
{{- if not (has $db (list "sqlite" "postgresql")) -}}
{{- fail (printf "database.type must be sqlite or postgresql, not %q" $db) -}}
{{- end -}}
{{- if eq $db "postgresql" -}}
{{- if not .Values.database.postgresql.existingSecret -}}
{{- fail "database.type=postgresql needs database.postgresql.existingSecret: a Secret holding the connection URL (key database.postgresql.existingSecretKey, default DATABASE_URL)" -}}
{{- end -}}
{{- if not .Values.secretKey.existingSecret -}}
{{- fail "database.type=postgresql needs secretKey.existingSecret: every replica must use the same credentials key (a Secret with QUORUM_SECRET_KEY: openssl rand -base64 32)" -}}
{{- end -}}
{{- if lt (int .Values.collector.replicas) 1 -}}
{{- fail "collector.replicas must be at least 1 (nothing is probed otherwise)" -}}
{{- end -}}
{{- end -}}
{{- if and .Values.collector.selfRegister.enabled (not .Values.rbac.create) -}}
{{- /* allowed: the operator may bind RBAC themselves */ -}}
{{- end -}}
{{- if and .Values.serviceMonitor.enabled (not .Values.serviceMonitor.bearerTokenSecret.name) -}}
{{- fail "serviceMonitor.enabled needs serviceMonitor.bearerTokenSecret.name: a Secret with a viewer API token (every Quorum route needs one)" -}}
{{- end -}}
{{- if lt (int .Values.collector.sessionTimeoutMs) (mul 3 (int .Values.collector.ownershipIntervalMs)) -}}
{{- fail "collector.sessionTimeoutMs must be at least 3 × collector.ownershipIntervalMs" -}}
{{- end -}}
{{- end -}}

{{/* Host names the web app accepts (DNS rebinding allow-list): the Service's names, ingress hosts, extra. */}}
{{- define "quorum.allowedHosts" -}}
{{- $svc := include "quorum.webService" . -}}
{{- $ns := .Release.Namespace -}}
{{- $hosts := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.%s" $svc $ns .Values.config.clusterDomain) -}}
{{- if .Values.ingress.enabled -}}
{{- range .Values.ingress.hosts -}}
{{- $hosts = append $hosts .host -}}
{{- end -}}
{{- end -}}
{{- range .Values.config.allowedHosts -}}
{{- $hosts = append $hosts . -}}
{{- end -}}
{{- join "," (uniq $hosts) -}}
{{- end -}}

{{/* Environment shared by every Quorum container. */}}
{{- define "quorum.env" -}}
- name: QUORUM_DATA_DIR
  value: /data
- name: HOME
  value: /tmp
- name: NODE_ENV
  value: production
- name: NEXT_TELEMETRY_DISABLED
  value: "1"
{{- if eq .Values.database.type "postgresql" }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.postgresql.existingSecret }}
      key: {{ .Values.database.postgresql.existingSecretKey }}
- name: QUORUM_DB_POOL_MAX
  value: {{ .Values.database.postgresql.poolMax | quote }}
{{- end }}
- name: QUORUM_DB_TIMEOUT_MS
  value: {{ .Values.database.timeoutMs | quote }}
{{- if .Values.secretKey.existingSecret }}
- name: QUORUM_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.secretKey.existingSecret }}
      key: {{ .Values.secretKey.existingSecretKey }}
{{- end }}
- name: QUORUM_COLLECTOR_INTERVAL_SECONDS
  value: {{ .Values.config.collectorIntervalSeconds | quote }}
- name: QUORUM_RAW_RETENTION_DAYS
  value: {{ .Values.config.rawRetentionDays | quote }}
- name: QUORUM_ROLLUP_RETENTION_DAYS
  value: {{ .Values.config.rollupRetentionDays | quote }}
- name: QUORUM_CLUSTER_DOMAIN
  value: {{ .Values.config.clusterDomain | quote }}
{{- with .Values.config.publicUrl }}
- name: QUORUM_PUBLIC_URL
  value: {{ . | quote }}
{{- end }}
- name: QUORUM_ALLOWED_HOSTS
  value: {{ include "quorum.allowedHosts" . | quote }}
- name: QUORUM_TRUST_PROXY
  value: {{ ternary "1" "0" (ternary .Values.ingress.enabled .Values.config.trustProxy (kindIs "invalid" .Values.config.trustProxy)) | quote }}
{{- with .Values.config.outbound.allowCidrs }}
- name: QUORUM_OUTBOUND_ALLOW_CIDRS
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.config.outbound.denyCidrs }}
- name: QUORUM_OUTBOUND_DENY_CIDRS
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.config.oidc }}
{{- if .issuer }}
- name: QUORUM_OIDC_ISSUER
  value: {{ .issuer | quote }}
- name: QUORUM_OIDC_CLIENT_ID
  value: {{ .clientId | quote }}
{{- if .clientSecret.existingSecret }}
- name: QUORUM_OIDC_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .clientSecret.existingSecret }}
      key: {{ .clientSecret.existingSecretKey }}
{{- end }}
{{- range $k, $v := dict "QUORUM_OIDC_ADMIN_GROUPS" .adminGroups "QUORUM_OIDC_EDITOR_GROUPS" .editorGroups "QUORUM_OIDC_VIEWER_GROUPS" .viewerGroups }}
{{- if $v }}
- name: {{ $k }}
  value: {{ $v | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.config.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The web container (both modes). */}}
{{- define "quorum.webContainer" -}}
- name: web
  image: {{ include "quorum.image" . }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  args: ["web", "--hostname", "0.0.0.0", "--port", {{ .Values.web.port | quote }}]
  env:
    {{- include "quorum.env" . | nindent 4 }}
    - name: QUORUM_SHUTDOWN_TIMEOUT_MS
      value: {{ mul .Values.web.shutdownTimeoutSeconds 1000 | quote }}
  ports:
    - name: http
      containerPort: {{ .Values.web.port }}
      protocol: TCP
  {{- with .Values.web.startupProbe }}
  startupProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.web.livenessProbe }}
  livenessProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.web.readinessProbe }}
  readinessProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.web.preStopSleepSeconds }}
  lifecycle:
    preStop:
      sleep:
        seconds: {{ .Values.web.preStopSleepSeconds }}
  {{- end }}
  resources:
    {{- toYaml .Values.web.resources | nindent 4 }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  volumeMounts:
    - name: data
      mountPath: /data
    - name: tmp
      mountPath: /tmp
    - name: next-cache
      mountPath: /app/.next/cache
{{- end -}}

{{/* The collector container (both modes). */}}
{{- define "quorum.collectorContainer" -}}
- name: collector
  image: {{ include "quorum.image" . }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  args: ["collector"]
  env:
    {{- include "quorum.env" . | nindent 4 }}
    - name: QUORUM_COLLECTOR_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    - name: QUORUM_COLLECTOR_HEALTH_PORT
      value: {{ .Values.collector.healthPort | quote }}
    - name: QUORUM_COLLECTOR_OWNERSHIP_INTERVAL_MS
      value: {{ .Values.collector.ownershipIntervalMs | quote }}
    - name: QUORUM_COLLECTOR_SESSION_TIMEOUT_MS
      value: {{ .Values.collector.sessionTimeoutMs | quote }}
    {{- if .Values.collector.selfRegister.enabled }}
    - name: QUORUM_SELF_REGISTER
      value: "true"
    - name: QUORUM_SELF_CLUSTER_NAME
      value: {{ .Values.collector.selfRegister.clusterName | quote }}
    {{- end }}
  ports:
    - name: health
      containerPort: {{ .Values.collector.healthPort }}
      protocol: TCP
  {{- with .Values.collector.livenessProbe }}
  livenessProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.collector.readinessProbe }}
  readinessProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  resources:
    {{- toYaml .Values.collector.resources | nindent 4 }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  volumeMounts:
    - name: data
      mountPath: /data
    - name: tmp
      mountPath: /tmp
{{- end -}}

{{/* Spread replicas over nodes unless told otherwise. */}}
{{- define "quorum.spread" -}}
{{- if .values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml .values.topologySpreadConstraints | nindent 2 }}
{{- else }}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "quorum.selectorLabels" (dict "root" .root "component" .component) | nindent 8 }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
