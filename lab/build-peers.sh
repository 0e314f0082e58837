#!/usr/bin/env bash
# Builds the BENCHMARK-ONLY peers that `npm run bench:peers` (scripts/bench-peers.ts) compares Quorum's
# probes with: Prometheus' blackbox_exporter and Gatus, from their Go modules through the module proxy,
# each cached per its pinned version (lab/versions.env) in $QUORUM_LAB_CACHE (default ~/.cache/quorum-lab)
# exactly as lab/build-tools.sh caches the test tools. NOT run by .ci/run (a cold CI must stay under
# 60 min; nothing in `npm test` needs these). No binary is downloaded: only Go modules.
# `bash lab/build-peers.sh` builds both; `bash lab/build-peers.sh gatus` one. Prints each binary's path
# and how long its (cold or cached) build took.
build_name=peers
# shellcheck source=build-lib.sh
source "$(dirname "$0")/build-lib.sh"

# `go install module@version` is not usable here: it asks the proxy for the module's version list (to
# read deprecations), which the proxy refuses for both modules (403), though it serves the pinned versions.
# So, as for Alertmanager in lab/build-tools.sh: module_source (lab/build-lib.sh) copies the pinned module's
# source out of the module cache, and that copy is built with its own go.mod/go.sum — the same code and the same
# dependency versions as `go install` would build.

# blackbox_exporter: go.mod (v0.28.0) says `go 1.24.0`, no replace. The version ldflags are the ones
# its Makefile (promu) sets.
build_blackbox_exporter() {
  local v="${BLACKBOX_EXPORTER_VERSION#v}" ldv="github.com/prometheus/common/version" work
  work=$(module_source github.com/prometheus/blackbox_exporter "$BLACKBOX_EXPORTER_VERSION" blackbox_exporter)
  (cd "$work" && go build -trimpath -ldflags "-s -w -X ${ldv}.Version=${v} -X ${ldv}.Branch=HEAD -X ${ldv}.BuildUser=quorum-lab" -o "$out/blackbox_exporter.tmp" .) \
    && mv "$out/blackbox_exporter.tmp" "$out/blackbox_exporter"
}

# Gatus: go.mod (v5.36.0) says `go 1.26.3`, no replace; its web UI is committed built (web/static,
# embedded), and its SQLite storage is pure Go (modernc.org/sqlite), so CGO_ENABLED=0 is the full program.
build_gatus() {
  local work
  work=$(module_source github.com/TwiN/gatus/v5 "$GATUS_VERSION" gatus)
  (cd "$work" && go build -trimpath -ldflags "-s -w" -o "$out/gatus.tmp" .) && mv "$out/gatus.tmp" "$out/gatus"
}

PEERS=(blackbox_exporter gatus)

want=("$@")
[ "${#want[@]}" -eq 0 ] && want=("${PEERS[@]}")
for peer in "${want[@]}"; do
  case " ${PEERS[*]} " in *" $peer "*) ;; *) log "unknown peer \"$peer\" (known: ${PEERS[*]})"; exit 2 ;; esac
  var="$(echo "$peer" | tr 'a-z-' 'A-Z_')_VERSION"
  version="${!var:-}"
  [ -n "$version" ] || { log "$var is not set in lab/versions.env"; exit 2; }
  out="$cache/$peer-$version"
  mkdir -p "$out"
  start=$(date +%s)
  if [ ! -x "$out/$peer" ]; then
    log "building $peer $version (cold: module source and dependencies from the Go module proxy)"
    "build_${peer}"
    log "$peer $version built in $(( $(date +%s) - start )) s"
  else
    log "$peer $version cached"
  fi
  printf '%s\n' "$out/$peer"
done
