#!/usr/bin/env bash
# Proves the observability stack with the real tools: `npm run test:stack`.
# Installs what it needs (deploy/local/install-tools.sh builds Prometheus 3, promtool,
# Alertmanager, amtool, Jaeger 2 and the Collector distribution into .tools/bin once, from a cache
# outside the repo; Go builds stackcheck), runs every check as one test, prints
# `ok - <name>` / `not ok - <name>`, and ends with `stack: N passed, N failed`.
# Static: every config as each tool reads it (otelcol validate, Jaeger started on its config,
# promtool and amtool checks, rule unit tests, compose and Kubernetes typed decoding). Live: the
# local stack with the five built services (build them first: npx nx run-many -t build), an
# order followed through Jaeger, the Collector's log output and Prometheus, and every Grafana
# link checked against what those backends returned (deploy/test/live-stack.ts, stackcheck links).
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
export PATH=$repo/.tools/bin:$PATH
export GOFLAGS=-mod=mod
stackcheck=$repo/.tools/bin/stackcheck
(cd deploy/test/stackcheck && go build -o "$stackcheck" .) > "$work/build.log" 2>&1 ||
  { echo "# building stackcheck failed:"; sed 's/^/#   /' "$work/build.log" | tail -n 20; }

# --- Prometheus ---
for config in deploy/prometheus/prometheus*.yml; do
  check "promtool check config $(basename "$config")" promtool check config "$config"
done
check "promtool check rules" promtool check rules deploy/prometheus/rules/*.yml deploy/k8s/rules/*.yml
for test in deploy/prometheus/tests/*.test.yml; do
  check "promtool test rules $(basename "$test")" promtool test rules "$test"
done
# The Kubernetes rules are generated (namespace-scoped); test them as the production overlay has them.
mkdir -p "$work/k8s-rules" && cp deploy/k8s/tests/*.test.yml "$work/k8s-rules/"
check "promtool test rules: production overlay in a shared kube-prometheus-stack cluster" bash -c '
  "$0" deploy/k8s/generate-prometheusrule.mjs --rule-file production "$1/rules.yml" &&
  promtool check rules "$1/rules.yml" && promtool test rules "$1"/*.test.yml' "$node_bin" "$work/k8s-rules"
check "rule expressions parse with Prometheus 3 and use known metric names" \
  "$stackcheck" rules deploy/test/metrics deploy/prometheus/rules

# --- OpenTelemetry Collector and Jaeger: the same files in every run mode ---
# Both tiers (config.yaml, sampler.yaml) as each run mode starts them; the resolver as each sets it.
check "otelcol validate: otel-collector/config.yaml as compose runs it" \
  env OTELCOL_SAMPLER_RESOLVER='{"dns":{"hostname":"otel-sampler","port":"4317"}}' \
  otelcol validate --config=deploy/otel-collector/config.yaml
check "otelcol validate: otel-collector/config.yaml as the local stack runs it" \
  env OTELCOL_LISTEN_HOST=127.0.0.1 OTELCOL_SAMPLER_RESOLVER='{"static":{"hostnames":["127.0.0.1:14417","127.0.0.1:14418"]}}' \
  OTELCOL_LOGS_EXPORTER=file/logs OTELCOL_LOGS_FILE="$work/logs.jsonl" otelcol validate --config=deploy/otel-collector/config.yaml
check "otelcol validate: otel-collector/sampler.yaml" otelcol validate --config=deploy/otel-collector/sampler.yaml
check "tail sampling thresholds equal the objectives of the alert rules" "$node_bin" deploy/test/tail-sampling.ts --static
check "otelcol validate: the Kubernetes ConfigMaps as the Deployments mount them, with their env" bash -c '
  kubectl kustomize deploy/k8s/observability > "$2/k8s.yaml" && k8s=$2/k8s.yaml &&
  name() { grep -o "name: $1-[a-z0-9]*$" "$k8s" | head -1 | cut -c7-; } &&
  "$1" configmap "$(name otel-collector-config)" config.yaml < "$2/k8s.yaml" > "$2/k8s-otelcol.yaml" &&
  "$1" configmap "$(name otel-sampler-config)" config.yaml < "$2/k8s.yaml" > "$2/k8s-sampler.yaml" &&
  OTELCOL_SAMPLER_RESOLVER="$(grep -A1 "name: OTELCOL_SAMPLER_RESOLVER" "$2/k8s.yaml" | sed -n "s/^ *value: .\(.*\).$/\1/p")" \
    LOKI_OTLP_ENDPOINT=http://loki:3100/otlp otelcol validate --config="$2/k8s-otelcol.yaml" &&
  JAEGER_OTLP_ENDPOINT=jaeger:4317 otelcol validate --config="$2/k8s-sampler.yaml"' _ "$stackcheck" "$work"
check "the Collector distribution has exactly the components of the manifest, at its version" bash -c '
  diff <(grep -o "gomod: .*" deploy/otel-collector/manifest.yaml | sed "s/gomod: //" | sort) \
    <(otelcol components | grep -o "module: .*" | sed "s/module: //" | sort) &&
  [ "$(otelcol --version)" = "otelcol version $(awk "/^  version:/ {print \$2}" deploy/otel-collector/manifest.yaml)" ]'
# Jaeger has no validate command: start it on its config (the local stack's ports) and ask it.
if (exec 3<>/dev/tcp/127.0.0.1/16686) 2>/dev/null; then
  echo "ok - Jaeger starts on jaeger/config.yaml and answers its query API # SKIP port 16686 in use"
else
  check "Jaeger starts on jaeger/config.yaml and answers its query API" bash -c '
    JAEGER_LISTEN_HOST=127.0.0.1 JAEGER_OTLP_GRPC_PORT=14317 JAEGER_HEALTH_PORT=14133 JAEGER_METRICS_PORT=14269 \
      jaeger --config=deploy/jaeger/config.yaml > "$1/jaeger.log" 2>&1 &
    pid=$!; trap "kill $pid 2>/dev/null; wait $pid 2>/dev/null" EXIT
    for _ in $(seq 1 60); do
      curl -fs http://127.0.0.1:14133/status > /dev/null && curl -fs http://127.0.0.1:16686/api/services && exit 0
      kill -0 $pid 2> /dev/null || break; sleep 0.5
    done
    tail -n 20 "$1/jaeger.log"; exit 1' _ "$work"
fi

# The images compose and Kubernetes run are the versions built here, so what is tested ships.
check "compose and Kubernetes images are the versions install-tools.sh built" bash -c '
  prom=$(prometheus --version | awk "NR == 1 {print \$3}")
  am=$(alertmanager --version 2>&1 | awk "NR == 1 {print \$3}")
  jaeger=$(jaeger version 2> /dev/null | grep -o "\"gitVersion\":\"v[0-9.]*" | sed "s/.*\"v//")
  otel=$(otelcol --version | awk "{print \$3}")
  node=$(node_exporter --version 2>&1 | awk "NR == 1 {print \$3}")
  status=0
  want() { grep -q "image: $2\$" "$1" || { echo "$1: no image $2"; status=1; }; }
  want deploy/compose/compose.yaml "prom/prometheus:v$prom"
  want deploy/compose/compose.yaml "prom/alertmanager:v$am"
  want deploy/compose/compose.yaml "jaegertracing/jaeger:$jaeger"
  want deploy/k8s/observability/jaeger.yaml "jaegertracing/jaeger:$jaeger"
  want deploy/compose/compose.yaml "nestjs-observability/otelcol:$otel"
  want deploy/k8s/observability/otel-collector.yaml "nestjs-observability/otelcol:$otel"
  want deploy/compose/compose.yaml "prom/node-exporter:v$node"
  echo "Prometheus $prom, Alertmanager $am, Jaeger $jaeger, Collector $otel, node_exporter $node"; exit $status'

# --- Alertmanager (deploy/alertmanager/tests) ---
check "Alertmanager receivers on and off: amtool check-config and routes.txt for every set-up" \
  "$node_bin" deploy/alertmanager/tests/receivers.test.mjs
check "notification templates render as tests/golden (amtool template render)" bash deploy/alertmanager/tests/golden.sh
check "Kubernetes Alertmanager values are generated from the templates" "$node_bin" deploy/alertmanager/helm-values.mjs --check
check "live inhibition and notification test (alertmanager + webhook sink)" \
  "$node_bin" deploy/alertmanager/tests/inhibition.test.mjs
check "live database inhibitions: one PostgreSQL outage, one page" "$node_bin" deploy/alertmanager/tests/database-inhibition.test.mjs
check "live delivery to fake PagerDuty, Slack and SMTP (alertmanager + deploy/test/fake-receivers)" \
  "$node_bin" deploy/alertmanager/tests/delivery.test.mjs

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
check "ConfigMaps are generated from the Collector, Jaeger and Grafana files" "$node_bin" deploy/k8s/generate-configmaps.mjs --check
# The Kubernetes install rendered offline (vendored charts, overlays) and checked: deploy/k8s/check.
bash deploy/k8s/check/check.sh > "$work/k8s.out" 2>&1 || grep -q '^not ok - ' "$work/k8s.out" || echo "not ok - deploy/k8s/check/check.sh ran" >> "$work/k8s.out"
cat "$work/k8s.out"; passed=$((passed + $(grep -c '^ok - ' "$work/k8s.out"))); failed=$((failed + $(grep -c '^not ok - ' "$work/k8s.out")))
check "kustomize build observability valid against Kubernetes and prometheus-operator types" \
  bash -c "kubectl kustomize deploy/k8s/observability | '$stackcheck' k8s"
for overlay in deploy/k8s/overlays/*/; do
  name=$(basename "$overlay")
  check "kustomize build $name valid against Kubernetes and prometheus-operator types" \
    bash -c "kubectl kustomize '$overlay' | '$stackcheck' k8s"
done

check "Kubernetes workloads: PDB, HPA, spread, resource attributes, NetworkPolicies exactly the topology" \
  "$node_bin" --test --disable-warning=MODULE_TYPELESS_PACKAGE_JSON 'deploy/k8s/tests/*.test.ts'

# --- Grafana ---
check "generated dashboards equal the committed JSON" "$node_bin" deploy/grafana/generate.ts --check
check "dashboard queries are valid PromQL/LogQL on known metrics, every panel described" \
  "$stackcheck" queries deploy/test/metrics deploy/prometheus/rules deploy/grafana/dashboards/*.json

# --- LogQL: every query in the docs, dashboards and datasource links, on the fields Loki stores ---
check "LogQL parser and Loki field model (go test)" bash -c 'cd deploy/test/stackcheck && go test ./...'
check "every LogQL query (docs, dashboards, datasources) parses and uses only fields Loki stores" bash -c \
  '"$0" logql deploy/test/logs/fields.txt $(git ls-files "*.md") deploy/grafana/dashboards/*.json deploy/grafana/provisioning/datasources/*.yml' "$stackcheck"

# --- runbooks ---
alerts=$(grep -ho '^ *- alert: [A-Za-z0-9]*' deploy/prometheus/rules/*.yml | awk '{print $3}' | sort -u)
runbooks=$(ls docs/runbooks/*.md 2>/dev/null | xargs -n1 basename 2>/dev/null | sed 's/\.md$//' | grep -v '^README$' | sort -u)
check "every alert has a runbook" bash -c "comm -23 <(echo '$alerts') <(echo '$runbooks') | { ! grep .; }"
check "every runbook names an existing alert" bash -c "comm -13 <(echo '$alerts') <(echo '$runbooks') | { ! grep .; }"
runbook_base=$("$node_bin" --input-type=module -e "import { runbookBaseUrl } from './deploy/prometheus/link-runbooks.mjs'; console.log(runbookBaseUrl())")
check "every runbook_url is <base>/<alertname>.md with the base of runbooks.json, and the page exists" bash -c '
  awk "/^ *- alert:/ {alert=\$NF} /^ *- record:/ {alert=\"\"} /runbook_url:/ {print alert, \$NF}" deploy/prometheus/rules/*.yml deploy/k8s/rules/*.yml |
  while read -r alert url; do
    case $url in
      "$0/$alert.md") test -f "docs/runbooks/$alert.md" || echo "$alert: no page docs/runbooks/$alert.md for $url" ;;
      *) echo "$alert: runbook_url $url is not $0/$alert.md" ;;
    esac
  done | { ! grep .; }' "$runbook_base"
check "runbook links in the rules and their promtool tests are up to date" "$node_bin" deploy/prometheus/link-runbooks.mjs --check

# --- the local stack itself, live ---
groups=$(cat deploy/prometheus/rules/*.yml | grep -c '^  - name:')
if (exec 3<>/dev/tcp/127.0.0.1/9090) 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/4318) 2>/dev/null; then
  echo "ok - stack.sh starts, loads every rule group # SKIP ports 9090/4318 in use"
else
  export STACK_DIR=$work/stack STACK_PROFILE=drill
  # live-stack.ts follows one fast order through every backend: its samplers keep every trace.
  export OTELCOL_TAIL_SAMPLING_PERCENT=100
  if check "stack.sh starts Prometheus, Alertmanager, the Collector and Jaeger and loads all $groups rule groups" bash -c '
    bash deploy/local/stack.sh start > /dev/null &&
    loaded=$(curl -fs http://127.0.0.1:9090/api/v1/rules | grep -o "\"name\":\"[a-z0-9-]*\",\"file\"" | wc -l) &&
    echo "rule groups loaded: $loaded" && [ "$loaded" -eq "$1" ]' _ "$groups"; then
    # One line per check from the script; counted like the others.
    "$node_bin" deploy/test/live-stack.ts "$work/live" "$STACK_DIR" > "$work/live.out" 2>&1
    cat "$work/live.out"
    passed=$((passed + $(grep -c '^ok - ' "$work/live.out")))
    failed=$((failed + $(grep -c '^not ok - ' "$work/live.out")))
    grep -q '^ok - \|^not ok - ' "$work/live.out" || { echo "not ok - live-stack.ts ran"; failed=$((failed + 1)); }
    check "every Grafana link (exemplar, derived field, trace to logs) resolves against the backends' answers" \
      "$stackcheck" links deploy/grafana/provisioning/datasources/datasources.yml \
      "$work/live/trace.json" "$STACK_DIR/otelcol/logs.jsonl" "$work/live/exemplars.json" "$(cat "$work/live/unsampled-trace-id" 2>/dev/null)" \
      deploy/test/logs/fields.txt
    # Tail sampling with faults under load, on a fresh stack at the default percentage.
    bash deploy/local/stack.sh stop > /dev/null
    export OTELCOL_TAIL_SAMPLING_PERCENT=10
    { bash deploy/local/stack.sh start > /dev/null && "$node_bin" deploy/test/tail-sampling.ts "$work/sampling"; } > "$work/sampling.out" 2>&1
    grep -q '^ok - \|^not ok - ' "$work/sampling.out" || echo "not ok - tail-sampling.ts ran" >> "$work/sampling.out"
    cat "$work/sampling.out"
    passed=$((passed + $(grep -c '^ok - ' "$work/sampling.out"))) failed=$((failed + $(grep -c '^not ok - ' "$work/sampling.out")))
  fi
  bash deploy/local/stack.sh stop > /dev/null
fi

echo "stack: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
