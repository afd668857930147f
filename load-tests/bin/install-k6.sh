#!/usr/bin/env bash
# Installs the pinned k6 into .tools/bin (gitignored) and prints its path.
# Idempotent: when the pinned version is already there it returns at once.
#
#   bash load-tests/bin/install-k6.sh          # prints /path/to/.tools/bin/k6
#   K6=/usr/local/bin/k6 bash load-tests/bin/install-k6.sh   # use a k6 you already have
#
# Variables:
#   K6          an existing k6 binary to use instead (checked, not installed)
#   K6_VERSION  the version to install (default v2.2.0, the one the scripts are written for)
#   TOOLS_DIR   where to cache the binary (default <repo>/.tools)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version="${K6_VERSION:-v2.2.0}"
tools_dir="${TOOLS_DIR:-$repo_root/.tools}"
bin="$tools_dir/bin/k6"

installed_version() {
  # `k6 version` prints e.g. "k6 v2.2.0 (commit/..., go1.26.8, linux/amd64)".
  "$1" version 2>/dev/null | awk '{print $2; exit}'
}

if [[ -n "${K6:-}" ]]; then
  if [[ ! -x "$K6" ]]; then
    echo "install-k6: K6=$K6 is not an executable" >&2
    exit 1
  fi
  echo "$K6"
  exit 0
fi

if [[ -x "$bin" && "$(installed_version "$bin")" == "$version" ]]; then
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
install-k6: Go is not installed, so k6 $version cannot be built here.
Install Go (https://go.dev/dl/), or get k6 another way and point K6 at it:
  - release binary: https://github.com/grafana/k6/releases/tag/$version
  - Homebrew:       brew install k6
  - Debian/Ubuntu:  the packages at https://dl.k6.io/deb (see https://grafana.com/docs/k6/latest/set-up/install-k6/)
  - container:      docker run --rm -i --network host grafana/k6:${version#v} run - <script.ts
MSG
  exit 1
fi

mkdir -p "$tools_dir/bin"
echo "install-k6: building k6 $version with $(go version | awk '{print $3}') into $tools_dir/bin (first run only, ~2 min)" >&2
if ! GOBIN="$tools_dir/bin" CGO_ENABLED=0 go install "go.k6.io/k6/v2@$version" >&2; then
  # `go install pkg@version` also asks the proxy for the module's latest version to print
  # deprecation notices; a proxy mirror without version lists (or no route to go.k6.io) makes
  # that fail. Building the same pinned, checksum-verified module from a throwaway go.mod skips
  # the lookup and yields the same binary.
  echo "install-k6: go install failed; building the same version from a temporary module" >&2
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  printf 'module k6build\n\ngo 1.24\n\nrequire go.k6.io/k6/v2 %s\n' "$version" >"$work/go.mod"
  (cd "$work" && CGO_ENABLED=0 go build -mod=mod -trimpath -o "$bin" go.k6.io/k6/v2) >&2
fi
echo "$bin"
