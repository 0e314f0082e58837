#!/usr/bin/env bash
# Builds the upstream lab binaries from their Go modules (no containers, no downloads of binaries).
# Each binary set is cached per its own pinned version in $QUORUM_LAB_CACHE (default ~/.cache/quorum-lab):
# bumping one pin rebuilds only that set, and a fresh clone on a warm machine builds nothing.
# lab/.bin is a folder of links into the cache entries.
build_name=lab
# shellcheck source=build-lib.sh
source "$(dirname "$0")/build-lib.sh"
need() { [ -x "$out/$1" ] && return 1 || return 0; }
# set_out NAME VERSION: the cache entry for one binary set
set_out() { out="$cache/$1-$2"; mkdir -p "$out"; }
start=$(date +%s)
ldk="-s -w -X k8s.io/component-base/version.gitVersion=${KUBERNETES_VERSION} -X k8s.io/component-base/version.gitMajor=$(echo "${KUBERNETES_VERSION#v}" | cut -d. -f1) -X k8s.io/component-base/version.gitMinor=$(echo "${KUBERNETES_VERSION#v}" | cut -d. -f2) -X k8s.io/component-base/version.gitTreeState=clean"

set_out k8s "$KUBERNETES_VERSION"
k8s_out="$out"
if need kube-apiserver || need kube-controller-manager || need kube-scheduler || need kubectl; then
  work="$cache/src/kube-${KUBERNETES_VERSION}"; mkdir -p "$work"
  if [ ! -f "$work/go.mod" ] || ! grep -q "k8s.io/kubernetes ${KUBERNETES_VERSION}" "$work/go.mod"; then
    log "preparing module for k8s.io/kubernetes ${KUBERNETES_VERSION}"
    rm -f "$work/go.mod" "$work/go.sum"
    gomod=$(go mod download -json "k8s.io/kubernetes@${KUBERNETES_VERSION}" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    staging_ver="v0.${KUBERNETES_VERSION#v1.}"
    {
      echo "module quorum.lab/kube"; echo; echo "go 1.25.0"; echo
      echo "require k8s.io/kubernetes ${KUBERNETES_VERSION}"; echo
      echo "replace ("
      grep -E '^\s+k8s.io/[a-z0-9-]+ v0\.0\.0$' "$gomod" | awk -v v="$staging_ver" '{print "\t" $1 " => " $1 " " v}'
      echo ")"
    } > "$work/go.mod"
    printf 'package tools\n' > "$work/tools.go"
    (cd "$work" && go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@${KUBERNETES_VERSION}" "k8s.io/kubernetes/cmd/kube-controller-manager@${KUBERNETES_VERSION}" "k8s.io/kubernetes/cmd/kube-scheduler@${KUBERNETES_VERSION}" "k8s.io/kubernetes/cmd/kubectl@${KUBERNETES_VERSION}")
  fi
  for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    need "$c" || continue
    log "building $c ${KUBERNETES_VERSION}"
    (cd "$work" && go build -trimpath -tags selinux,notest -ldflags "$ldk" -o "$out/$c.tmp" "k8s.io/kubernetes/cmd/$c") && mv "$out/$c.tmp" "$out/$c"
  done
fi

set_out etcd "$ETCD_VERSION"
etcd_out="$out"
if need etcd || need etcdctl; then
  work="$cache/src/etcd-${ETCD_VERSION}"; mkdir -p "$work/etcd" "$work/etcdctl"
  if [ ! -f "$work/go.mod" ] || ! grep -q "go.etcd.io/etcd/server/v3 ${ETCD_VERSION}" "$work/go.mod"; then
    log "preparing module for etcd ${ETCD_VERSION}"
    rm -f "$work/go.mod" "$work/go.sum"
    printf 'module quorum.lab/etcd\n\ngo 1.25.0\n' > "$work/go.mod"
    cat > "$work/etcd/main.go" <<'GO'
// etcd server entry point, exactly as upstream's server/main.go.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
    cat > "$work/etcdctl/main.go" <<'GO'
package main

import "go.etcd.io/etcd/etcdctl/v3/ctlv3"

func main() { ctlv3.MustStart() }
GO
    (cd "$work" && go get "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" "go.etcd.io/etcd/etcdctl/v3@${ETCD_VERSION}" && go mod tidy)
  fi
  log "building etcd ${ETCD_VERSION}"
  (cd "$work" && go build -trimpath -ldflags "-s -w" -o "$out/etcd.tmp" ./etcd && go build -trimpath -ldflags "-s -w" -o "$out/etcdctl.tmp" ./etcdctl) \
    && mv "$out/etcd.tmp" "$out/etcd" && mv "$out/etcdctl.tmp" "$out/etcdctl"
fi

set_out coredns "$COREDNS_VERSION"
coredns_out="$out"
if need coredns; then
  log "building coredns ${COREDNS_VERSION}"
  GOBIN="$out" go install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@${COREDNS_VERSION}"
fi

link_dirs=("$k8s_out" "$etcd_out" "$coredns_out")
kwok_stages=""
if [ -n "${KWOK_VERSION}" ]; then
  set_out kwok "$KWOK_VERSION"
  if need kwok; then
    log "building kwok ${KWOK_VERSION}"
    GOBIN="$out" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}"
  fi
  # kwok plays "Stages" (what happens to a node or pod when); the standard ones are YAML files in its module.
  if [ ! -f "$out/stages/pod-ready.yaml" ]; then
    src=$(go mod download -json "sigs.k8s.io/kwok@${KWOK_VERSION}" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
    mkdir -p "$out/stages.tmp"
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
      cp "$src/kustomize/stage/$f" "$out/stages.tmp/"
    done
    chmod -R u+w "$out/stages.tmp" && rm -rf "$out/stages" && mv "$out/stages.tmp" "$out/stages"
  fi
  link_dirs+=("$out")
  kwok_stages="$out/stages"
fi
# lab/.bin: one link per binary (an older checkout may have left a link to a whole folder)
[ -L "$here/.bin" ] && rm -f "$here/.bin"
mkdir -p "$here/.bin"
for d in "${link_dirs[@]}"; do
  for f in "$d"/*; do [[ "$f" == *.tmp ]] && continue; [ -x "$f" ] && [ -f "$f" ] && ln -sfn "$f" "$here/.bin/$(basename "$f")"; done
done
[ -n "${kwok_stages:-}" ] && ln -sfn "$kwok_stages" "$here/.bin/kwok-stages"
log "binaries ready in $here/.bin ($(( $(date +%s) - start )) s)"
