#!/usr/bin/env bash
# Builds the upstream TEST TOOLS (not the control plane: that is lab/build.sh) from their Go modules,
# each cached per its pinned version in $QUORUM_LAB_CACHE (default ~/.cache/quorum-lab), linked into
# lab/.bin. No binary is ever downloaded: only Go modules through the module proxy.
#
# One function per tool, one line in TOOLS. To add a tool (Alertmanager, Prometheus, helm …): pin
# <NAME>_VERSION in lab/versions.env, write build_<name> (it gets $out = the empty cache entry and
# must leave executables there), add it to TOOLS. `bash lab/build-tools.sh dex` builds one tool only.
set -euo pipefail
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${QUORUM_LAB_CACHE:-$HOME/.cache/quorum-lab}"
log() { printf '[tools build] %s\n' "$*" >&2; }

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

TOOLS=(dex)

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
