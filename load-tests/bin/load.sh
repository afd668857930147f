#!/usr/bin/env bash
# Runs one k6 scenario against running services and keeps everything it produces in one folder.
#
#   npm run load -- smoke                 # or load | stress | spike | soak | breakpoint
#   npm run load -- load -e RATE=30       # anything after the scenario goes to `k6 run`
#   RATE=30 DURATION=2m npm run load -- load
#
# Writes reports/load/<testid>/ with report.html (k6 web dashboard), summary.json (end-of-test
# summary) and k6.log, and streams metrics to Prometheus by remote write, every sample tagged
# testid=<scenario>-<UTC timestamp> (the k6 Grafana dashboard filters on it).
#
# Variables (besides the scenario's own, see load-tests/README.md):
#   BASE_URL                     gateway under test (default http://127.0.0.1:8080)
#   TESTID                       run id (default <scenario>-<YYYYmmddTHHMMSSZ>)
#   REPORT_DIR                   output folder (default reports/load/<testid>)
#   K6_PROMETHEUS_RW_SERVER_URL  remote write endpoint (default http://127.0.0.1:9090/api/v1/write)
#   K6_PROMETHEUS_RW_TREND_STATS trend stats sent (default "p(95),p(99),min,max,avg")
#   K6_WEB_DASHBOARD_PORT        live dashboard port (default -1: no server, export only)
#   K6_WEB_DASHBOARD_PERIOD      dashboard sampling period (default 2s)
#   K6                           an existing k6 binary (default: the pinned one, installed on demand)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
scenarios_dir="$repo_root/load-tests/scenarios"

usage() {
  echo "usage: npm run load -- <scenario> [k6 run flags...]" >&2
  echo "scenarios: $(cd "$scenarios_dir" && ls ./*.ts | sed 's|^\./||; s|\.ts$||' | tr '\n' ' ')" >&2
  exit 2
}

scenario="${1:-}"
[[ -n "$scenario" && "$scenario" != -* ]] || usage
shift
script="$scenarios_dir/$scenario.ts"
[[ -f "$script" ]] || { echo "load: unknown scenario '$scenario'" >&2; usage; }

k6="$(bash "$repo_root/load-tests/bin/install-k6.sh")"

export TESTID="${TESTID:-$scenario-$(date -u +%Y%m%dT%H%M%SZ)}"
report_dir="${REPORT_DIR:-$repo_root/reports/load/$TESTID}"
mkdir -p "$report_dir"

export BASE_URL="${BASE_URL:-http://127.0.0.1:8080}"
export K6_PROMETHEUS_RW_SERVER_URL="${K6_PROMETHEUS_RW_SERVER_URL:-http://127.0.0.1:9090/api/v1/write}"
export K6_PROMETHEUS_RW_TREND_STATS="${K6_PROMETHEUS_RW_TREND_STATS:-p(95),p(99),min,max,avg}"
export K6_WEB_DASHBOARD=true
export K6_WEB_DASHBOARD_PORT="${K6_WEB_DASHBOARD_PORT:--1}"
export K6_WEB_DASHBOARD_EXPORT="$report_dir/report.html"
# The dashboard skips the HTML report when it has fewer than two snapshots; the default 10 s
# period would lose it for short runs such as smoke.
export K6_WEB_DASHBOARD_PERIOD="${K6_WEB_DASHBOARD_PERIOD:-2s}"
export K6_NO_USAGE_REPORT=true

# Remote write failures only log errors in k6; they never fail the run. Say so up front, and
# only ask for stale markers (sent once at the end, where a failure would) when Prometheus is up.
prometheus="${K6_PROMETHEUS_RW_SERVER_URL%/api/v1/write}"
if curl -fsS -m 3 -o /dev/null "$prometheus/-/ready" 2>/dev/null; then
  export K6_PROMETHEUS_RW_STALE_MARKERS="${K6_PROMETHEUS_RW_STALE_MARKERS:-true}"
  echo "load: metrics -> $K6_PROMETHEUS_RW_SERVER_URL (testid=$TESTID)"
else
  echo "load: WARNING: Prometheus is not reachable at $prometheus; the run goes on, but its metrics" \
    "will be missing from Grafana (start the stack with: npm run stack:local -- start)" >&2
fi

if ! curl -fsS -m 3 -o /dev/null "$BASE_URL/health/ready" 2>/dev/null; then
  echo "load: WARNING: $BASE_URL/health/ready does not answer 200; expect failed requests (start the services with: npm start)" >&2
fi

echo "load: scenario=$scenario base_url=$BASE_URL reports=$report_dir"
set +e
"$k6" run \
  --tag "testid=$TESTID" \
  -o experimental-prometheus-rw \
  --summary-export "$report_dir/summary.json" \
  "$@" \
  "$script" 2>&1 | tee "$report_dir/k6.log"
status="${PIPESTATUS[0]}"
set -e

echo "load: reports in $report_dir (report.html, summary.json, k6.log); k6 exit code $status"
exit "$status"
