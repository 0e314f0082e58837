# Sourced (never run) by lab/build.sh, lab/build-tools.sh and lab/build-peers.sh: what every Go build of
# the lab shares. Set `build_name` before sourcing it (it names the log lines). Gives:
#   strict mode and the Go environment (local toolchain, module mode, no cgo);
#   $here (lab/), the pins of lab/versions.env, $cache (the per-version binary cache, $QUORUM_LAB_CACHE,
#   default ~/.cache/quorum-lab), log;
#   module_source MODULE VERSION NAME [PREPARE]: a writable copy of a module's source, for modules that
#   `go install` cannot build (a refused version list, files to add before building).
set -euo pipefail
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
cache="${QUORUM_LAB_CACHE:-$HOME/.cache/quorum-lab}"
log() { printf '[%s build] %s\n' "${build_name:?set build_name before sourcing build-lib.sh}" "$*" >&2; }

# Prints the path of $cache/src/NAME-VERSION: MODULE@VERSION copied out of the module cache (go mod
# download through the proxy), made writable, PREPARE (a function, given the copy's folder) run on it
# before it is moved into place. Kept across runs; a copy cut short is never taken for a finished one.
module_source() {
  local mod="$1" version="$2" work="$cache/src/$3-$2" prepare="${4:-}" dir
  if [ ! -f "$work/go.mod" ]; then
    log "copying $mod $version from the module cache"
    dir=$(go mod download -json "$mod@$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
    [ -n "$dir" ] && [ -d "$dir" ] || { log "go mod download gave no source folder for $mod@$version"; return 1; }
    rm -rf "$work.tmp" && mkdir -p "$(dirname "$work")" && cp -r "$dir" "$work.tmp" && chmod -R u+w "$work.tmp"
    [ -z "$prepare" ] || "$prepare" "$work.tmp"
    mv "$work.tmp" "$work"
  fi
  printf '%s\n' "$work"
}
