#!/usr/bin/env bash
# Proves the observability stack with the real tools: `npm run test:stack`.
# Installs what it needs (Debian prometheus + prometheus-alertmanager for promtool, amtool and
# the binaries; Go builds stackcheck into .tools/), runs every check as one test, prints
# `ok - <name>` / `not ok - <name>`, and ends with `stack: N passed, N failed`.
#
# Environment:
#   METRIC_NAMES_FILE  known service metric names, one a line (e.g. from a live /metrics scrape);
#                      default deploy/test/metrics/services.txt
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

# check NAME COMMAND...: one test; its output is shown only when it fails.
check() {
  local name=$1
  shift
  if "$@" > "$work/out" 2>&1; then
    echo "ok - $name"
    passed=$((passed + 1))
  else
    echo "not ok - $name"
    sed 's/^/    # /' "$work/out" | tail -n 40
    failed=$((failed + 1))
  fi
}

node_bin=$(command -v node)
[ -x node_modules/.bin/node ] && node_bin=$repo/node_modules/.bin/node # Node 24, for .ts

# --- setup (a failure here fails the checks that need it) ---
bash deploy/local/install-tools.sh || echo "# install-tools failed" >&2
export GOPATH=$repo/.tools/go GOMODCACHE=$repo/.tools/go/mod GOFLAGS=-mod=mod
stackcheck=$repo/.tools/bin/stackcheck
(cd deploy/test/stackcheck && go build -o "$stackcheck" .) > "$work/build.log" 2>&1 ||
  { echo "# building stackcheck failed:"; sed 's/^/#   /' "$work/build.log" | tail -n 20; }

render_alertmanager() {
  PAGER_WEBHOOK_URL=http://127.0.0.1:9/pager CHAT_WEBHOOK_URL=http://127.0.0.1:9/chat \
    INFO_WEBHOOK_URL=http://127.0.0.1:9/info WATCHDOG_WEBHOOK_URL=http://127.0.0.1:9/watchdog \
    sh deploy/alertmanager/render.sh deploy/alertmanager/alertmanager.yml.tmpl "$work/alertmanager.yml"
}
render_alertmanager

# --- Prometheus ---
for config in deploy/prometheus/prometheus*.yml; do
  check "promtool check config $(basename "$config")" promtool check config "$config"
done
check "promtool check rules" promtool check rules deploy/prometheus/rules/*.yml deploy/k8s/rules/*.yml
check "promtool test rules" promtool test rules deploy/prometheus/tests/*.test.yml
# The Kubernetes rules are generated (namespace-scoped); test them as the production overlay has them.
mkdir -p "$work/k8s-rules" && cp deploy/k8s/tests/*.test.yml "$work/k8s-rules/"
check "promtool test rules: production overlay in a shared kube-prometheus-stack cluster" bash -c '
  "$0" deploy/k8s/generate-prometheusrule.mjs --rule-file production "$1/rules.yml" &&
  promtool check rules "$1/rules.yml" && promtool test rules "$1"/*.test.yml' "$node_bin" "$work/k8s-rules"
check "rule expressions parse with Prometheus 3 and use known metric names" \
  "$stackcheck" rules deploy/test/metrics deploy/prometheus/rules

# --- Alertmanager ---
check "amtool check-config (rendered template)" amtool check-config "$work/alertmanager.yml"
while IFS='|' read -r receivers labels; do
  case $receivers in '' | \#*) continue ;; esac
  receivers=${receivers//[[:space:]]/}
  # shellcheck disable=SC2086 # labels are separate words on purpose
  check "route $(echo $labels) -> $receivers" \
    amtool config routes test --config.file="$work/alertmanager.yml" --verify.receivers="$receivers" $labels
done < deploy/alertmanager/tests/routes.txt
check "live inhibition and notification test (alertmanager + webhook sink)" \
  "$node_bin" deploy/alertmanager/tests/inhibition.test.mjs

# --- compose ---
# Test values for the secrets .env must provide; the real .env is never read here.
sed -e 's/^GRAFANA_ADMIN_PASSWORD=$/GRAFANA_ADMIN_PASSWORD=test-only/' -e 's/^POSTGRES_PASSWORD=$/POSTGRES_PASSWORD=test-only/' \
  -e 's/^JWT_SECRET=$/JWT_SECRET=test-only-secret-0123456789/' deploy/compose/.env.example > "$work/compose.env"
check "compose.yaml valid against the compose specification" \
  "$stackcheck" compose "$work/compose.env" deploy/compose/compose.yaml
check "compose.yaml + compose.services.yaml valid against the compose specification" \
  "$stackcheck" compose "$work/compose.env" deploy/compose/compose.yaml deploy/compose/compose.services.yaml
check "compose refuses to start without the secrets of .env" \
  bash -c "! '$stackcheck' compose deploy/compose/.env.example deploy/compose/compose.yaml"

# --- Kubernetes ---
check "PrometheusRules are generated from deploy/prometheus/rules and deploy/k8s/rules" "$node_bin" deploy/k8s/generate-prometheusrule.mjs --check
for overlay in deploy/k8s/overlays/*/; do
  name=$(basename "$overlay")
  check "kustomize build $name valid against Kubernetes and prometheus-operator types" \
    bash -c "kubectl kustomize '$overlay' | '$stackcheck' k8s"
done

# --- Grafana ---
check "generated dashboards equal the committed JSON" "$node_bin" deploy/grafana/generate.ts --check
check "dashboard queries are valid PromQL/LogQL on known metrics, every panel described" \
  "$stackcheck" queries deploy/test/metrics deploy/prometheus/rules deploy/grafana/dashboards/*.json

# --- runbooks ---
alerts=$(grep -ho '^ *- alert: [A-Za-z0-9]*' deploy/prometheus/rules/*.yml | awk '{print $3}' | sort -u)
runbooks=$(ls docs/runbooks/*.md 2>/dev/null | xargs -n1 basename 2>/dev/null | sed 's/\.md$//' | grep -v '^README$' | sort -u)
check "every alert has a runbook" bash -c "comm -23 <(echo '$alerts') <(echo '$runbooks') | { ! grep .; }"
check "every runbook names an existing alert" bash -c "comm -13 <(echo '$alerts') <(echo '$runbooks') | { ! grep .; }"
check "every runbook_url points at docs/runbooks/<alertname>.md" bash -c '
  awk "/^ *- alert:/ {alert=\$NF} /^ *- record:/ {alert=\"\"} /runbook_url:/ {print alert, \$NF}" deploy/prometheus/rules/*.yml |
  while read -r alert url; do
    case $url in
      *docs/runbooks/$alert.md) test -f "docs/runbooks/$alert.md" || echo "$alert: no file $url" ;;
      *) echo "$alert: runbook_url $url does not name docs/runbooks/$alert.md" ;;
    esac
  done | { ! grep .; }'

# --- the local stack itself ---
if (exec 3<>/dev/tcp/127.0.0.1/9090) 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/9093) 2>/dev/null; then
  echo "ok - stack.sh starts, loads every rule group and stops # SKIP ports 9090/9093 in use"
else
  check "stack.sh starts, loads every rule group and stops" bash -c '
    export STACK_DIR='"$work"'/stack STACK_PROFILE=drill
    trap "bash deploy/local/stack.sh stop >/dev/null" EXIT
    bash deploy/local/stack.sh start >/dev/null &&
    groups=$(curl -fs http://127.0.0.1:9090/api/v1/rules | grep -o "\"name\":\"[a-z0-9-]*\",\"file\"" | wc -l) &&
    expected=$(grep -h "^  - name:" deploy/prometheus/rules/*.yml | wc -l) &&
    echo "rule groups loaded: $groups of $expected" && [ "$groups" -eq "$expected" ]'
fi

echo "stack: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
