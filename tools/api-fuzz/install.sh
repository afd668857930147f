#!/usr/bin/env bash
# Installs Schemathesis, pinned, into .tools/schemathesis (a Python venv), for `npm run test:api`.
# Needs python3 with venv and pip, as a bare CI machine has; run it where PyPI is reachable.
# Idempotent: a venv that already holds the pinned version is left as it is.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=4.32.5
VENV=.tools/schemathesis
if [[ -x "$VENV/bin/schemathesis" ]] && "$VENV/bin/schemathesis" --version | grep -q "version $VERSION\b"; then
  echo "schemathesis $VERSION already in $VENV"
  exit 0
fi
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$VERSION"
echo "$("$VENV/bin/schemathesis" --version) installed in $VENV"
