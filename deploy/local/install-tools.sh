#!/usr/bin/env bash
# Builds the observability stack's binaries from source into <repo>/.tools/bin (gitignored):
#   prometheus, promtool      github.com/prometheus/prometheus     deploy/local/tools/prometheus/go.mod
#   alertmanager, amtool      github.com/prometheus/alertmanager   deploy/local/tools/alertmanager/go.mod
#   jaeger                    github.com/jaegertracing/jaeger      deploy/local/tools/jaeger/go.mod
#   otelcol                   Collector builder distribution       deploy/otel-collector/manifest.yaml
#   helm                      helm.sh/helm/v4                      deploy/local/tools/helm/go.mod
#   kustomize                 sigs.k8s.io/kustomize/kustomize/v5   deploy/local/tools/kustomize/go.mod
#   node_exporter             github.com/prometheus/node_exporter  deploy/local/tools/node_exporter/go.mod
# Each version is pinned once, in the file named beside it (a Go tool dependency, or the builder
# manifest). A build is kept in a cache outside the repo, keyed by name, version and a hash of the
# files that define it, so other clones and CI reuse it; Go (and the module proxy) is needed only
# when that cache misses. Used by deploy/local/stack.sh, deploy/test/run.sh and .ci/run; safe to
# run again (prints nothing when everything is there).
#
#   bash deploy/local/install-tools.sh                 # all of them
#   bash deploy/local/install-tools.sh prometheus      # only some: prometheus alertmanager jaeger otelcol helm kustomize node_exporter
#
# Environment:
#   TOOLS_CACHE  the cache (default ${XDG_CACHE_HOME:-$HOME/.cache}/nestjs-observability-tools)
#   TOOLS_DIR    where bin/ goes (default <repo>/.tools)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nestjs-observability-tools}
bin_dir=${TOOLS_DIR:-$repo/.tools}/bin
tools=$repo/deploy/local/tools

# The version a go.mod requires of a module, read without running go (works offline).
required() { awk -v m="$2" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$1"; }
# A short hash of the files that define a build: a changed go.sum or manifest is a new build.
inputs_hash() { cat "$@" | sha256sum | cut -c1-12; }

need_go() {
  command -v go > /dev/null || {
    echo "install-tools: Go is needed to build $1 (https://go.dev/dl/; the version in $2)" >&2
    exit 1
  }
}

# install NAME VERSION HASH BINARIES... : copies the cached build into bin/, building it first
# with build_NAME <out-dir> when the cache has no complete build of this version and hash.
install() {
  local name=$1 version=$2 hash=$3
  shift 3
  local dir=$cache/$name-$version-$hash b
  if [ ! -f "$dir/.complete" ]; then
    local start=$SECONDS
    echo "install-tools: building $name $version into $dir (first run only)" >&2
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    "build_$name" "$dir.tmp" "$version" >&2
    rm -rf "$dir" && mv "$dir.tmp" "$dir" && touch "$dir/.complete"
    echo "install-tools: built $name $version in $((SECONDS - start))s" >&2
  fi
  mkdir -p "$bin_dir"
  for b in "$@"; do
    if ! cmp -s "$dir/$b" "$bin_dir/$b"; then cp -f "$dir/$b" "$bin_dir/$b.tmp" && mv -f "$bin_dir/$b.tmp" "$bin_dir/$b"; fi
  done
}

# Prometheus' Go module versions are v0.3MM.P for Prometheus 3.MM.P.
prometheus_release() { local v=${1#v0.}; echo "$((${v%%.*} / 100)).$((${v%%.*} % 100)).${v#*.}"; }

build_prometheus() {
  need_go prometheus "$tools/prometheus/go.mod"
  local release
  release=$(prometheus_release "$2")
  # Without the builtinassets tag the web UI is not embedded: the API and /-/ready are all we use.
  (cd "$tools/prometheus" && CGO_ENABLED=0 go build -mod=readonly -trimpath -o "$1/" \
    -ldflags "-s -w -X github.com/prometheus/common/version.Version=$release -X github.com/prometheus/common/version.Branch=HEAD -X github.com/prometheus/common/version.Revision=$2" \
    github.com/prometheus/prometheus/cmd/prometheus github.com/prometheus/prometheus/cmd/promtool)
}

build_alertmanager() {
  need_go alertmanager "$tools/alertmanager/go.mod"
  # The module embeds ui/app/dist, which only its npm build creates and the module does not ship.
  # Build from a copy of the module with a one-page placeholder there (the API is what we use),
  # through a throwaway main module that replaces it; the committed go.mod/go.sum pin the rest.
  local work src
  work=$(mktemp -d)
  src=$(cd "$tools/alertmanager" && go mod download -json github.com/prometheus/alertmanager | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  cp -r "$src" "$work/alertmanager" && chmod -R u+w "$work/alertmanager"
  for ui in elm mantine; do
    mkdir -p "$work/alertmanager/ui/app/dist/$ui"
    printf '<!doctype html><title>Alertmanager</title><p>Built from source without its web UI: use <a href="api/v2/alerts">/api/v2</a> or amtool.</p>\n' \
      > "$work/alertmanager/ui/app/dist/$ui/index.html"
  done
  cp "$tools/alertmanager/go.mod" "$tools/alertmanager/go.sum" "$work/"
  (cd "$work" && go mod edit -replace github.com/prometheus/alertmanager=./alertmanager &&
    CGO_ENABLED=0 go build -mod=mod -trimpath -o "$1/" \
      -ldflags "-s -w -X github.com/prometheus/common/version.Version=${2#v} -X github.com/prometheus/common/version.Branch=HEAD -X github.com/prometheus/common/version.Revision=$2" \
      github.com/prometheus/alertmanager/cmd/alertmanager github.com/prometheus/alertmanager/cmd/amtool)
  local status=$?
  rm -rf "$work"
  return $status
}

# Jaeger's Go module v1.MM.P is the release published as v2.(MM-63).P (its CHANGELOG says both).
jaeger_release() { local v=${1#v1.}; echo "v2.$((${v%%.*} - 63)).${v#*.}"; }

build_jaeger() {
  need_go jaeger "$tools/jaeger/go.mod"
  (cd "$tools/jaeger" && CGO_ENABLED=0 go build -mod=readonly -trimpath -o "$1/jaeger" \
    -ldflags "-s -w -X github.com/jaegertracing/jaeger/internal/version.latestVersion=$(jaeger_release "$2") -X github.com/jaegertracing/jaeger/internal/version.commitSHA=$2" \
    github.com/jaegertracing/jaeger/cmd/jaeger)
}

build_otelcol() {
  need_go otelcol "$repo/deploy/otel-collector/go.mod"
  # The builder writes the distribution's sources and binary to ./_build (the manifest's
  # output_path): run it in a scratch copy, as the Dockerfile does in its build stage.
  local work
  work=$(mktemp -d)
  cp "$repo/deploy/otel-collector/"{go.mod,go.sum,manifest.yaml} "$work/"
  (cd "$work" && CGO_ENABLED=0 go tool builder --config=manifest.yaml && cp _build/otelcol "$1/otelcol")
  local status=$?
  rm -rf "$work"
  return $status
}

build_helm() {
  need_go helm "$tools/helm/go.mod"
  (cd "$tools/helm" && CGO_ENABLED=0 go build -mod=readonly -trimpath -o "$1/helm" \
    -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$2" helm.sh/helm/v4/cmd/helm)
}

build_kustomize() {
  need_go kustomize "$tools/kustomize/go.mod"
  # kustomize reads its version from the module's build info: nothing to stamp.
  (cd "$tools/kustomize" && CGO_ENABLED=0 go build -mod=readonly -trimpath -o "$1/kustomize" -ldflags "-s -w" \
    sigs.k8s.io/kustomize/kustomize/v5)
}

# The host's CPU, memory, filesystem and network for the local stack (a Linux host; on another OS
# the same build runs with the collectors that OS has).
build_node_exporter() {
  need_go node_exporter "$tools/node_exporter/go.mod"
  (cd "$tools/node_exporter" && CGO_ENABLED=0 go build -mod=readonly -trimpath -o "$1/node_exporter" \
    -ldflags "-s -w -X github.com/prometheus/common/version.Version=${2#v} -X github.com/prometheus/common/version.Branch=HEAD -X github.com/prometheus/common/version.Revision=$2" \
    github.com/prometheus/node_exporter)
}

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(prometheus alertmanager jaeger otelcol helm kustomize node_exporter)
for tool in "${wanted[@]}"; do
  case $tool in
    prometheus)
      install prometheus "$(required "$tools/prometheus/go.mod" github.com/prometheus/prometheus)" \
        "$(inputs_hash "$tools/prometheus/go.mod" "$tools/prometheus/go.sum")" prometheus promtool ;;
    alertmanager)
      install alertmanager "$(required "$tools/alertmanager/go.mod" github.com/prometheus/alertmanager)" \
        "$(inputs_hash "$tools/alertmanager/go.mod" "$tools/alertmanager/go.sum")" alertmanager amtool ;;
    jaeger)
      install jaeger "$(required "$tools/jaeger/go.mod" github.com/jaegertracing/jaeger)" \
        "$(inputs_hash "$tools/jaeger/go.mod" "$tools/jaeger/go.sum")" jaeger ;;
    otelcol)
      install otelcol "$(awk '$1 == "version:" { print "v" $2; exit }' "$repo/deploy/otel-collector/manifest.yaml")" \
        "$(inputs_hash "$repo/deploy/otel-collector/manifest.yaml" "$repo/deploy/otel-collector/go.mod" "$repo/deploy/otel-collector/go.sum")" otelcol ;;
    helm)
      install helm "$(required "$tools/helm/go.mod" helm.sh/helm/v4)" \
        "$(inputs_hash "$tools/helm/go.mod" "$tools/helm/go.sum")" helm ;;
    kustomize)
      install kustomize "$(required "$tools/kustomize/go.mod" sigs.k8s.io/kustomize/kustomize/v5)" \
        "$(inputs_hash "$tools/kustomize/go.mod" "$tools/kustomize/go.sum")" kustomize ;;
    node_exporter)
      install node_exporter "$(required "$tools/node_exporter/go.mod" github.com/prometheus/node_exporter)" \
        "$(inputs_hash "$tools/node_exporter/go.mod" "$tools/node_exporter/go.sum")" node_exporter ;;
    *) echo "install-tools: unknown tool '$tool' (prometheus, alertmanager, jaeger, otelcol, helm, kustomize, node_exporter)" >&2; exit 2 ;;
  esac
done
