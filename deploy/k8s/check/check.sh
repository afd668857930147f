#!/usr/bin/env bash
# Renders the whole Kubernetes install offline and checks the result (docs/kubernetes.md):
# helm template of the vendored charts with the project's values, kustomize build of
# deploy/k8s/observability and of every overlay, then the Go check beside this script (every
# object decoded strictly into its Go type, and the assertions of check.go). No cluster is used.
#   bash deploy/k8s/check/check.sh      # npm run test:stack runs it
# Needs helm and kustomize in .tools/bin (deploy/local/install-tools.sh) and Go. Prints one
# `ok - <check>` / `not ok - <check>` line per check; exits 1 when one fails.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$repo"
export PATH=$repo/.tools/bin:$PATH
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
helm_dir=deploy/k8s/helm
status=0

# The pinned charts: each vendored as charts/<name>-<version>.tgz (what `helm package` of the
# upstream chart, and `helm dependency build`, write), so an install needs no chart repository.
pins=(kube-prometheus-stack-88.5.3 loki-18.11.0)

# step NAME COMMAND...: one check; its output is shown only when it fails.
step() {
  local name=$1
  shift
  if "$@" > "$work/out" 2>&1; then
    echo "ok - $name"
  else
    echo "not ok - $name"
    sed 's/^/    # /' "$work/out" | tail -n 30
    status=1
  fi
}

vendored() {
  local want got
  want=$(printf '%s.tgz\n' "${pins[@]}" | sort)
  got=$(cd "$helm_dir/charts" && ls -- *.tgz | sort)
  [ "$want" = "$got" ] || { echo "charts/ holds: $got"; echo "pinned: $want"; return 1; }
  for pin in "${pins[@]}"; do
    helm show chart "$helm_dir/charts/$pin.tgz" > "$work/chart.yaml" || return 1
    got="$(awk '$1 == "name:" { n = $2 } $1 == "version:" { v = $2 } END { print n "-" v }' "$work/chart.yaml")"
    [ "$got" = "$pin" ] || { echo "charts/$pin.tgz contains $got"; return 1; }
  done
}
step "vendored charts are the pinned versions: ${pins[*]}" vendored

step "helm template kube-prometheus-stack with kube-prometheus-stack.values.yaml and alertmanager.values.yaml" sh -c '
  helm template kube-prometheus-stack "$1/charts/kube-prometheus-stack-88.5.3.tgz" -n observability --include-crds \
    -f "$1/kube-prometheus-stack.values.yaml" -f "$1/alertmanager.values.yaml" > "$2"' _ "$helm_dir" "$work/kps.yaml"
step "helm template loki with loki.values.yaml" sh -c '
  helm template loki "$1/charts/loki-18.11.0.tgz" -n observability -f "$1/loki.values.yaml" > "$2"' _ "$helm_dir" "$work/loki.yaml"
step "kustomize build deploy/k8s/observability" sh -c 'kustomize build deploy/k8s/observability > "$1"' _ "$work/observability.yaml"
overlays=()
for dir in deploy/k8s/overlays/*/; do
  name=$(basename "$dir")
  step "kustomize build deploy/k8s/overlays/$name" sh -c 'kustomize build "$1" > "$2"' _ "$dir" "$work/$name.yaml"
  overlays+=(-overlay "$name=$work/$name.yaml")
done

if ! (cd deploy/k8s/check && go build -o "$repo/.tools/bin/k8scheck" .) > "$work/build.log" 2>&1; then
  echo "not ok - build deploy/k8s/check"
  sed 's/^/    # /' "$work/build.log" | tail -n 20
  exit 1
fi
k8scheck -compose deploy/compose/compose.yaml -stack "kube-prometheus-stack=$work/kps.yaml" -stack "loki=$work/loki.yaml" \
  -stack "observability=$work/observability.yaml" "${overlays[@]}" || status=1
exit $status
