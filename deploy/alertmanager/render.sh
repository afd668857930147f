#!/bin/sh
# Renders alertmanager.yml.tmpl into a config Alertmanager can read: replaces every ${VAR}
# (or ${VAR:-default}) outside comments with the environment variable VAR, and fails, naming
# the variable, when one without a default is unset or empty. POSIX sh + awk, so it runs on
# the host and in the busybox-based Alertmanager image alike.
#   usage: render.sh TEMPLATE OUTPUT
set -eu
template=$1
output=$2
awk '
  /^[[:space:]]*#/ { print; next }
  {
    line = $0
    out = ""
    while (match(line, /\$\{[A-Z_][A-Z0-9_]*(:-[^}]*)?\}/)) {
      ref = substr(line, RSTART + 2, RLENGTH - 3)
      name = ref
      fallback = ""
      split_at = index(ref, ":-")
      if (split_at > 0) {
        name = substr(ref, 1, split_at - 1)
        fallback = substr(ref, split_at + 2)
      }
      value = (name in ENVIRON) ? ENVIRON[name] : ""
      if (value == "") value = fallback
      if (value == "") {
        print "render.sh: environment variable " name " is not set" > "/dev/stderr"
        exit 1
      }
      out = out substr(line, 1, RSTART - 1) value
      line = substr(line, RSTART + RLENGTH)
    }
    print out line
  }
' "$template" > "$output"
