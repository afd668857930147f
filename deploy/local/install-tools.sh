#!/usr/bin/env bash
# Makes sure prometheus, promtool, alertmanager and amtool are on this machine, installing
# Debian's prometheus and prometheus-alertmanager packages when one is missing.
# Used by deploy/local/stack.sh and deploy/test/run.sh; safe to run again.
set -euo pipefail

have_all() {
  command -v prometheus >/dev/null && command -v promtool >/dev/null && command -v amtool >/dev/null &&
    { command -v alertmanager >/dev/null || command -v prometheus-alertmanager >/dev/null; }
}

have_all && exit 0

if ! command -v apt-get >/dev/null; then
  echo "install-tools: prometheus/alertmanager missing and no apt-get; install Prometheus 2.42+ and Alertmanager 0.25+ yourself" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-tools: installing prometheus and prometheus-alertmanager from Debian" >&2
# The packages' own systemd units are not used; stack.sh runs the binaries on loopback.
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null
have_all
