#!/usr/bin/env bash
# The observability stack without Docker, on loopback: Prometheus 3, Alertmanager, the
# OpenTelemetry Collector, Jaeger 2, node_exporter (the host) and the webhook sink, built from source by install-tools.sh
# (first run only) and reading the same config files as compose, with only addresses changed
# through the environment. The services of `npm start` (127.0.0.1:8080-8084) are scraped, and
# their OTLP (127.0.0.1:4318) goes through the Collector's two tiers as in Kubernetes: the first
# (otelcol) computes span metrics for Prometheus, writes logs to $STACK_DIR/otelcol/logs.jsonl
# (Loki's stand-in) and routes each trace by its id to one of two samplers (static resolver),
# which keep or drop whole traces and send the kept ones to Jaeger (docs/tail-sampling.md).
# Started by `npm run stack:local`; see deploy/README.md.
#
#   stack.sh [run]   start in the foreground; Ctrl-C or SIGTERM stops everything
#   stack.sh start   start in the background (pid files under $STACK_DIR/run)
#   stack.sh stop    stop what `start` started
#   stack.sh status  what is running and whether it answers
#
# Environment:
#   STACK_PROFILE  default | drill. drill only shortens intervals: scrape and rule evaluation
#                  every 5s, Alertmanager group_wait 5s and group_interval 10s. Thresholds and
#                  `for` durations never change.
#   STACK_DIR      data, logs, rendered configs and pid files (default .data/stack)
#   PAGER_WEBHOOK_URL, CHAT_WEBHOOK_URL, INFO_WEBHOOK_URL, WATCHDOG_WEBHOOK_URL
#                  Alertmanager's generic webhooks (default http://127.0.0.1:9095/<receiver>, the sink)
#   PAGERDUTY_ROUTING_KEY, PAGERDUTY_URL, SLACK_WEBHOOK_URL, SLACK_CHANNEL, SMTP_SMARTHOST,
#   SMTP_FROM, ALERT_EMAIL_TO, SMTP_AUTH_USERNAME, SMTP_AUTH_PASSWORD, SMTP_REQUIRE_TLS
#                  Alertmanager's PagerDuty, Slack and email receivers, each on when given
#                  (docs/alert-delivery.md). Secrets and webhook URLs are written to files in
#                  $STACK_DIR/secrets (mode 600) that the rendered config names.
#   STACK_FAKE_RECEIVERS  true: also start the fake PagerDuty, Slack and SMTP server
#                  (deploy/test/fake-receivers; HTTP 9096, SMTP 9025) and point those receivers
#                  at them, unless set otherwise above
#   PROMETHEUS_EXTERNAL_URL, ALERTMANAGER_EXTERNAL_URL, JAEGER_EXTERNAL_URL, GRAFANA_EXTERNAL_URL
#                  the URLs alerts and notifications link to (default http://127.0.0.1:9090,
#                  :9093, :16686, and http://localhost:3000)
#   OTELCOL_TAIL_SAMPLING_PERCENT  share of fast, successful traces the samplers keep (default 10)
# Ports (fixed, docs/interfaces.md): Prometheus 9090, Alertmanager 9093, OTLP 4317/4318, Jaeger UI
# and API 16686, webhook sink 9095, node_exporter 9100; the Collector's health 13133, own metrics 8888,
# span metrics 8889; the samplers' OTLP gRPC 14417/14418, health 14433/14434, own metrics
# 14488/14489; Jaeger's OTLP gRPC 14317, health 14133, own metrics 14269.
# Services started for this stack send logs over OTLP too: OTEL_LOGS_EXPORTER=otlp.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
command=${1:-run}
profile=${STACK_PROFILE:-default}
stack_dir=${STACK_DIR:-$repo/.data/stack}
mkdir -p "$stack_dir"
stack_dir=$(cd "$stack_dir" && pwd)
run_dir=$stack_dir/run
log_dir=$stack_dir/logs
config_dir=$stack_dir/config
components=(webhook-sink alertmanager prometheus jaeger otel-sampler-1 otel-sampler-2 otelcol node-exporter)
if [ "${STACK_FAKE_RECEIVERS:-false}" = true ]; then components=(fake-receivers "${components[@]}"); fi
declare -A port=([prometheus]=9090 [alertmanager]=9093 [webhook-sink]=9095 [jaeger]=16686 [otelcol]=4318
  [otel-sampler-1]=14417 [otel-sampler-2]=14418 [fake-receivers]=9096 [node-exporter]=9100)
# Each component's readiness URL (the Collector and Jaeger answer on their health ports).
declare -A ready=([prometheus]=http://127.0.0.1:9090/-/ready [alertmanager]=http://127.0.0.1:9093/-/ready
  [webhook-sink]=http://127.0.0.1:9095/health [jaeger]=http://127.0.0.1:14133/status
  [otelcol]=http://127.0.0.1:13133/ [otel-sampler-1]=http://127.0.0.1:14433/ [otel-sampler-2]=http://127.0.0.1:14434/
  [fake-receivers]=http://127.0.0.1:9096/health [node-exporter]=http://127.0.0.1:9100/metrics)
export PATH=$repo/.tools/bin:$PATH

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pid_of() { cat "$run_dir/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

render_configs() {
  mkdir -p "$config_dir" "$log_dir" "$run_dir" "$stack_dir/prometheus" "$stack_dir/alertmanager" "$stack_dir/otelcol"
  local scrape=15s group_wait=30s group_interval=5m
  case $profile in
    default) ;;
    drill) scrape=5s group_wait=5s group_interval=10s ;;
    *) echo "stack.sh: STACK_PROFILE must be default or drill, not '$profile'" >&2; exit 2 ;;
  esac
  # Only the global intervals differ from the committed file; rules/ is linked beside the copy
  # so its relative rule_files path still finds the repo's rule files.
  sed -e "s/^  scrape_interval: .*/  scrape_interval: $scrape/" \
      -e "s/^  evaluation_interval: .*/  evaluation_interval: $scrape/" \
      "$repo/deploy/prometheus/prometheus.yml" > "$config_dir/prometheus.yml"
  ln -sfn "$repo/deploy/prometheus/rules" "$config_dir/rules"
  render_alertmanager "$group_wait" "$group_interval"
}

# Alertmanager's receivers: every secret and webhook URL goes into a file of $STACK_DIR/secrets
# (named like its variable), which the rendered config names; the rest is the environment.
render_alertmanager() {
  local sink=http://127.0.0.1:${port[webhook-sink]} fake=http://127.0.0.1:${port[fake-receivers]}
  local -A secret=(
    [PAGER_WEBHOOK_URL]=${PAGER_WEBHOOK_URL:-$sink/pager} [CHAT_WEBHOOK_URL]=${CHAT_WEBHOOK_URL:-$sink/chat}
    [INFO_WEBHOOK_URL]=${INFO_WEBHOOK_URL:-$sink/info} [WATCHDOG_WEBHOOK_URL]=${WATCHDOG_WEBHOOK_URL:-$sink/watchdog}
    [PAGERDUTY_ROUTING_KEY]=${PAGERDUTY_ROUTING_KEY:-} [SLACK_WEBHOOK_URL]=${SLACK_WEBHOOK_URL:-}
    [SMTP_AUTH_PASSWORD]=${SMTP_AUTH_PASSWORD:-})
  local -a settings=()
  if [ "${STACK_FAKE_RECEIVERS:-false}" = true ]; then
    secret[PAGERDUTY_ROUTING_KEY]=${PAGERDUTY_ROUTING_KEY:-fake-routing-key}
    secret[SLACK_WEBHOOK_URL]=${SLACK_WEBHOOK_URL:-$fake/services/T0000/B0000/fake}
    settings=("PAGERDUTY_URL=${PAGERDUTY_URL:-$fake/v2/enqueue}" "SMTP_SMARTHOST=${SMTP_SMARTHOST:-127.0.0.1:9025}"
      "SMTP_FROM=${SMTP_FROM:-alertmanager@localhost}" "ALERT_EMAIL_TO=${ALERT_EMAIL_TO:-oncall@localhost}"
      "SMTP_REQUIRE_TLS=${SMTP_REQUIRE_TLS:-false}")
  fi
  local secrets_dir=$stack_dir/secrets name
  rm -rf "$secrets_dir" && (umask 077 && mkdir -p "$secrets_dir")
  for name in "${!secret[@]}"; do
    if [ -n "${secret[$name]}" ]; then (umask 077 && printf '%s\n' "${secret[$name]}" > "$secrets_dir/$name"); fi
  done
  for template in alertmanager.yml notifications.tmpl; do
    env "${settings[@]}" ALERTMANAGER_SECRETS_DIR="$secrets_dir" \
      ALERTMANAGER_GROUP_WAIT="$1" ALERTMANAGER_GROUP_INTERVAL="$2" \
      JAEGER_EXTERNAL_URL="${JAEGER_EXTERNAL_URL:-http://127.0.0.1:${port[jaeger]}}" \
      sh "$repo/deploy/alertmanager/render.sh" "$repo/deploy/alertmanager/${template/%.yml/.yml.tmpl}" "$config_dir/$template"
  done
}

command_for() {
  case $1 in
    prometheus)
      echo prometheus \
        "--config.file=$config_dir/prometheus.yml" \
        "--storage.tsdb.path=$stack_dir/prometheus" \
        "--web.listen-address=127.0.0.1:${port[prometheus]}" \
        "--web.external-url=${PROMETHEUS_EXTERNAL_URL:-http://127.0.0.1:${port[prometheus]}}" \
        --storage.tsdb.retention.time=30d \
        --web.enable-lifecycle \
        --web.enable-remote-write-receiver \
        --enable-feature=exemplar-storage ;;
    alertmanager)
      echo alertmanager \
        "--config.file=$config_dir/alertmanager.yml" \
        "--storage.path=$stack_dir/alertmanager" \
        "--web.listen-address=127.0.0.1:${port[alertmanager]}" \
        "--web.external-url=${ALERTMANAGER_EXTERNAL_URL:-http://127.0.0.1:${port[alertmanager]}}" \
        "--cluster.listen-address=" ;;
    # The committed configs as they are; the addresses come from environment() below.
    otelcol)
      echo otelcol "--config=$repo/deploy/otel-collector/config.yaml" ;;
    otel-sampler-*)
      echo otelcol "--config=$repo/deploy/otel-collector/sampler.yaml" ;;
    jaeger)
      echo jaeger "--config=$repo/deploy/jaeger/config.yaml" ;;
    webhook-sink)
      echo node "$repo/deploy/webhook-sink/sink.mjs" ;;
    fake-receivers)
      echo node "$repo/deploy/test/fake-receivers/fake-receivers.mjs" ;;
    node-exporter)
      echo node_exporter "--web.listen-address=127.0.0.1:${port[node-exporter]}" ;;
  esac
}

# The variables the Collector's and Jaeger's configs expand (see their headers).
environment() {
  case $1 in
    otelcol)
      # No spaces in the resolver's JSON: each variable is one word here.
      echo OTELCOL_LISTEN_HOST=127.0.0.1 \
        'OTELCOL_SAMPLER_RESOLVER={"static":{"hostnames":["127.0.0.1:14417","127.0.0.1:14418"]}}' \
        OTELCOL_LOGS_EXPORTER=file/logs "OTELCOL_LOGS_FILE=$stack_dir/otelcol/logs.jsonl" ;;
    otel-sampler-*)
      local n=${1#otel-sampler-}
      echo OTELCOL_LISTEN_HOST=127.0.0.1 JAEGER_OTLP_ENDPOINT=127.0.0.1:14317 \
        OTELCOL_OTLP_PORT=$((14416 + n)) OTELCOL_HEALTH_PORT=$((14432 + n)) OTELCOL_METRICS_PORT=$((14487 + n)) \
        OTELCOL_TAIL_SAMPLING_PERCENT=${OTELCOL_TAIL_SAMPLING_PERCENT:-10} ;;
    jaeger)
      echo JAEGER_LISTEN_HOST=127.0.0.1 JAEGER_OTLP_GRPC_PORT=14317 JAEGER_HEALTH_PORT=14133 \
        JAEGER_METRICS_PORT=14269 PROMETHEUS_URL=http://127.0.0.1:${port[prometheus]} ;;
    webhook-sink)
      echo WEBHOOK_SINK_PORT=${port[webhook-sink]} "WEBHOOK_SINK_FILE=$stack_dir/webhook-sink/notifications.jsonl" ;;
  esac
}

start_all() {
  bash "$repo/deploy/local/install-tools.sh"
  for c in "${components[@]}"; do
    if alive "$c"; then echo "stack.sh: $c already running (pid $(pid_of "$c")); run 'stack.sh stop' first" >&2; exit 1; fi
    if listening "${port[$c]}"; then
      echo "stack.sh: port ${port[$c]} for $c is taken (a system service? e.g. 'systemctl stop prometheus prometheus-alertmanager')" >&2
      exit 1
    fi
  done
  render_configs
  for c in "${components[@]}"; do
    # setsid: a detached stack survives the shell that started it; stop_all kills by pid.
    # shellcheck disable=SC2046 # one word per variable and argument; no path here has spaces
    env $(environment "$c") setsid $(command_for "$c") > "$log_dir/$c.log" 2>&1 < /dev/null &
    echo $! > "$run_dir/$c.pid"
  done
  for c in "${components[@]}"; do
    for _ in $(seq 1 60); do
      curl -fs "${ready[$c]}" >/dev/null 2>&1 && continue 2
      alive "$c" || break
      sleep 0.5
    done
    echo "stack.sh: $c did not become ready; its log ($log_dir/$c.log) ends with:" >&2
    tail -n 20 "$log_dir/$c.log" >&2
    stop_all
    exit 1
  done
  echo "stack ($profile profile) is up; data, logs and configs in $stack_dir"
  echo "  Prometheus    http://127.0.0.1:${port[prometheus]}   (targets: /targets, rules: /rules, alerts: /alerts)"
  echo "  Alertmanager  http://127.0.0.1:${port[alertmanager]}"
  echo "  Jaeger        http://127.0.0.1:${port[jaeger]}   (API: /api/traces/<trace id>; the UI is a placeholder in a source build)"
  echo "  Collector     OTLP 127.0.0.1:4317 (gRPC), 127.0.0.1:4318 (HTTP); logs to $stack_dir/otelcol/logs.jsonl"
  echo "                two samplers (127.0.0.1:14417, :14418) keep every failed or slow trace and ${OTELCOL_TAIL_SAMPLING_PERCENT:-10}% of the rest"
  echo "  webhook sink  http://127.0.0.1:${port[webhook-sink]}/notifications   (records to $stack_dir/webhook-sink/notifications.jsonl)"
  if alive fake-receivers; then
    echo "  fake PagerDuty, Slack and SMTP  http://127.0.0.1:${port[fake-receivers]}/received   (SMTP 127.0.0.1:9025)"
  fi
  echo "  node_exporter http://127.0.0.1:${port[node-exporter]}/metrics   (this host: CPU, memory, filesystems, network)"
  echo "  scraping the services on 127.0.0.1:8080-8084 (start them with 'OTEL_LOGS_EXPORTER=otlp npm start')"
}

stop_all() {
  for c in node-exporter otelcol otel-sampler-1 otel-sampler-2 jaeger prometheus alertmanager webhook-sink fake-receivers; do
    local pid; pid=$(pid_of "$c")
    [ -n "$pid" ] || continue
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
      echo "stopped $c (pid $pid)"
    fi
    rm -f "$run_dir/$c.pid"
  done
}

status() {
  local down=0
  for c in "${components[@]}"; do
    if alive "$c" && curl -fs "${ready[$c]}" >/dev/null 2>&1; then
      echo "$c: up (pid $(pid_of "$c"), http://127.0.0.1:${port[$c]})"
    else
      echo "$c: down"; down=1
    fi
  done
  return $down
}

case $command in
  start) start_all ;;
  stop) stop_all ;;
  status) status ;;
  run)
    start_all
    trap 'echo; stop_all; exit 0' INT TERM
    echo "Ctrl-C stops the stack."
    # Wake up when any component exits (or a signal arrives), then take the rest down with it.
    all_alive() { for c in "${components[@]}"; do alive "$c" || return 1; done; }
    while all_alive; do sleep 1 & wait $!; done
    echo "stack.sh: a component exited; see $log_dir" >&2
    stop_all
    exit 1 ;;
  *) echo "usage: stack.sh [run|start|stop|status]" >&2; exit 2 ;;
esac
