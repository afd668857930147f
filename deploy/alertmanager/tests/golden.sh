#!/usr/bin/env bash
# Golden test of notifications.tmpl: renders what Slack, email and PagerDuty receive for a firing
# and a resolved group (golden/<status>.json, ServiceDown on user-service) with
# `amtool template render`, and compares it with golden/<status>.<receiver>.txt. The links use
# the default external URLs. Run by deploy/test/run.sh (amtool on PATH):
#   bash deploy/alertmanager/tests/golden.sh            # compare
#   bash deploy/alertmanager/tests/golden.sh --update   # rewrite the golden files after a change
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
env -u GRAFANA_EXTERNAL_URL -u JAEGER_EXTERNAL_URL \
  sh "$here/../render.sh" "$here/../notifications.tmpl" "$work/notifications.tmpl"

# What each receiver shows, field by field, as alertmanager.yml.tmpl fills them in.
declare -A view
view[slack]='color: {{ template "shop.slack.color" . }}
title: {{ template "shop.title" . }}
title_link: {{ template "shop.runbook_url" . }}
text:
{{ template "shop.slack.text" . }}'
view[email]='Subject: {{ template "shop.title" . }}

{{ template "shop.email.text" . }}'
view[pagerduty]='event_action: {{ if eq .Status "firing" }}trigger{{ else }}resolve{{ end }}
payload.summary: {{ template "shop.title" . }}
payload.severity: {{ template "shop.pagerduty.severity" . }}
payload.source: {{ template "shop.service" . }}
payload.component: {{ template "shop.service" . }}
payload.group: {{ template "shop.environment" . }}
payload.class: {{ .CommonLabels.alertname }}
payload.custom_details.summary: {{ template "shop.summary" . }}
payload.custom_details.description: {{ template "shop.description" . }}
payload.custom_details.labels: {{ .CommonLabels | toJson }}
links: Runbook {{ template "shop.runbook_url" . }}
links: Grafana dashboard {{ template "shop.dashboard_url" . }}
links: Error traces in Jaeger {{ template "shop.traces_url" . }}
links: Silence {{ template "shop.silence_url" . }}
client_url: {{ template "shop.silence_url" . }}'

status=0
for data in "$here"/golden/*.json; do
  for receiver in slack email pagerduty; do
    golden=${data%.json}.$receiver.txt
    amtool template render --template.glob="$work/notifications.tmpl" --template.data="$data" \
      --template.text="${view[$receiver]}" > "$work/out"
    if [ "${1:-}" = --update ]; then
      cp "$work/out" "$golden"
    elif ! diff -u "$golden" "$work/out"; then
      echo "golden.sh: $(basename "$golden") differs (after an intended change: golden.sh --update)" >&2
      status=1
    fi
  done
done
exit $status
