#!/usr/bin/env bash
# Builds the upstream TEST TOOLS (not the control plane: that is lab/build.sh) from their Go modules,
# each cached per its pinned version in $QUORUM_LAB_CACHE (default ~/.cache/quorum-lab), linked into
# lab/.bin. No binary is ever downloaded: only Go modules through the module proxy.
#
# One function per tool, one line in TOOLS. To add a tool (Alertmanager, Prometheus, helm …): pin
# <NAME>_VERSION in lab/versions.env, write build_<name> (it gets $out = the empty cache entry and
# must leave executables there), add it to TOOLS. `bash lab/build-tools.sh dex` builds one tool only.
build_name=tools
# shellcheck source=build-lib.sh
source "$(dirname "$0")/build-lib.sh"

# Dex (OIDC provider for the sign-in tests). Its go.mod replaces github.com/dexidp/dex/api/v2 with
# ./api/v2, so `go install` refuses; a wrapper module requires it instead. Dex's v2.x tags are not
# valid versions of the module path github.com/dexidp/dex (no /v2 suffix), so DEX_VERSION is the
# pseudo-version the module proxy serves for the release commit (see lab/versions.env). The wrapper
# also builds `dex-bcrypt` (golang.org/x/crypto/bcrypt, already a Dex dependency) so tests can write
# a static password hash for a random password.
build_dex() {
  local work="$cache/src/dex-${DEX_VERSION}"
  mkdir -p "$work/dex-bcrypt"
  if [ ! -f "$work/go.mod" ] || ! grep -q "github.com/dexidp/dex ${DEX_VERSION}" "$work/go.mod"; then
    log "preparing module for github.com/dexidp/dex ${DEX_VERSION} (${DEX_RELEASE})"
    rm -f "$work/go.mod" "$work/go.sum"
    printf 'module quorum.lab/dex\n\ngo 1.25.0\n' > "$work/go.mod"
    cat > "$work/dex-bcrypt/main.go" <<'GO'
// dex-bcrypt: reads a password on stdin, prints its bcrypt hash (cost 10) for Dex's staticPasswords.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

func main() {
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(os.Stderr, "dex-bcrypt: no password on stdin")
		os.Exit(2)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(strings.TrimRight(line, "\r\n")), 10)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dex-bcrypt:", err)
		os.Exit(1)
	}
	fmt.Println(string(h))
}
GO
    printf 'package tools\n' > "$work/tools.go"
    # go mod tidy (not go get …@latest) so dex-bcrypt uses the x/crypto Dex itself selects: Dex is built with its own dependency versions.
    (cd "$work" && go get -tool "github.com/dexidp/dex/cmd/dex@${DEX_VERSION}" && go get "github.com/dexidp/dex/api/v2@${DEX_API_VERSION}" && go mod tidy)
  fi
  log "building dex ${DEX_RELEASE} (${DEX_VERSION})"
  (cd "$work" && go build -trimpath -ldflags "-s -w -X main.version=${DEX_RELEASE}" -o "$out/dex.tmp" github.com/dexidp/dex/cmd/dex \
    && go build -trimpath -ldflags "-s -w" -o "$out/dex-bcrypt.tmp" ./dex-bcrypt) \
    && mv "$out/dex.tmp" "$out/dex" && mv "$out/dex-bcrypt.tmp" "$out/dex-bcrypt"
}

# Alertmanager (the notification tests post alerts to it). Its go.mod has no replace, but its web UI
# package embeds ui/app/dist, which only an npm build creates (`go install` fails: "pattern app/dist:
# no matching files found"). So the module source is copied from the module cache (`go mod download`),
# a one-page placeholder is put where the UI would be, and cmd/alertmanager and cmd/amtool are built
# from that copy with its own go.mod/go.sum: the same code and dependency versions, no UI. The
# HTTP API (/api/v2/alerts, /api/v2/silences, /-/ready) is all the tests use.
alertmanager_ui_placeholder() { # the copy's folder
  for ui in elm mantine; do
    mkdir -p "$1/ui/app/dist/$ui"
    printf '<!doctype html><title>Alertmanager</title><p>Built by Quorum lab/build-tools.sh without the web UI; the API is at /api/v2/.</p>\n' > "$1/ui/app/dist/$ui/index.html"
  done
}
build_alertmanager() {
  local v="${ALERTMANAGER_VERSION#v}" ldv="github.com/prometheus/common/version" work
  work=$(module_source github.com/prometheus/alertmanager "$ALERTMANAGER_VERSION" alertmanager alertmanager_ui_placeholder)
  log "building alertmanager ${ALERTMANAGER_VERSION} (no web UI)"
  (cd "$work" && go build -trimpath -ldflags "-s -w -X ${ldv}.Version=${v} -X ${ldv}.Branch=HEAD -X ${ldv}.BuildUser=quorum-lab" -o "$out/alertmanager.tmp" ./cmd/alertmanager \
    && go build -trimpath -ldflags "-s -w -X ${ldv}.Version=${v}" -o "$out/amtool.tmp" ./cmd/amtool) \
    && mv "$out/alertmanager.tmp" "$out/alertmanager" && mv "$out/amtool.tmp" "$out/amtool"
}

# Prometheus and promtool (the metrics tests scrape Quorum and query it). Module version v0.3XX.Y is
# Prometheus 3.XX.Y. Built WITHOUT the `builtinassets` tag: the React UI is not compiled in (it needs
# npm), so the server answers its HTTP API (/api/v1/query, /api/v1/targets …) but not the UI pages.
build_prometheus() {
  local minor="${PROMETHEUS_VERSION#v0.}"; minor="${minor%%.*}"
  local v="3.$((10#${minor} - 300)).${PROMETHEUS_VERSION##*.}" ldv="github.com/prometheus/common/version"
  log "building prometheus ${v} (module ${PROMETHEUS_VERSION}) without UI assets"
  rm -rf "$out/.partial"
  GOBIN="$out/.partial" go install -trimpath -ldflags "-s -w -X ${ldv}.Version=${v} -X ${ldv}.Branch=HEAD -X ${ldv}.BuildUser=quorum-lab" \
    "github.com/prometheus/prometheus/cmd/prometheus@${PROMETHEUS_VERSION}" \
    "github.com/prometheus/prometheus/cmd/promtool@${PROMETHEUS_VERSION}"
  mv "$out/.partial/"* "$out/" && rmdir "$out/.partial"
}


# helm (the chart tests: lint, template, install into the lab). helm.sh/helm/v3's go.mod has no
# `replace`, so `go install …@version` builds it as released. The ldflags are the ones helm's own
# Makefile sets: the version, and the Kubernetes version `helm template`/`lint` assume by default
# (major+1 / minor of the k8s.io/client-go it requires, as its Makefile computes them).
build_helm() {
  local mod client_go minor
  mod="$(GOFLAGS= go mod download -json "helm.sh/helm/v3@${HELM_VERSION}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  client_go="$(sed -n 's/^[[:space:]]*k8s.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$mod" | head -1)"
  [ -n "$client_go" ] || { log "cannot read the k8s.io/client-go version from $mod"; return 1; }
  minor="$client_go"
  log "building helm ${HELM_VERSION} (go install helm.sh/helm/v3/cmd/helm@${HELM_VERSION}; default kube version v1.${minor})"
  local ld="-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION} -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  local k
  for k in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do ld="$ld -X $k.k8sVersionMajor=1 -X $k.k8sVersionMinor=${minor}"; done
  rm -rf "$out/.gobin"
  GOFLAGS= GOBIN="$out/.gobin" go install -trimpath -ldflags "$ld" "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" \
    && mv "$out/.gobin/helm" "$out/helm" && rmdir "$out/.gobin"
}

TOOLS=(dex alertmanager prometheus helm)

want=("$@")
[ "${#want[@]}" -eq 0 ] && want=("${TOOLS[@]}")
start=$(date +%s)
mkdir -p "$here/.bin"
[ -L "$here/.bin" ] && { rm -f "$here/.bin"; mkdir -p "$here/.bin"; }
for tool in "${want[@]}"; do
  case " ${TOOLS[*]} " in *" $tool "*) ;; *) log "unknown tool \"$tool\" (known: ${TOOLS[*]})"; exit 2 ;; esac
  var="$(echo "$tool" | tr 'a-z-' 'A-Z_')_VERSION"
  version="${!var:-}"
  [ -n "$version" ] || { log "$var is not set in lab/versions.env"; exit 2; }
  out="$cache/$tool-$version"
  mkdir -p "$out"
  if [ -z "$(find "$out" -maxdepth 1 -type f -perm -u+x ! -name '*.tmp' -print -quit)" ]; then
    "build_${tool//-/_}"
  fi
  for f in "$out"/*; do [[ "$f" == *.tmp ]] && continue; [ -x "$f" ] && [ -f "$f" ] && ln -sfn "$f" "$here/.bin/$(basename "$f")"; done
done
log "tools ready in $here/.bin ($(( $(date +%s) - start )) s)"
