#!/bin/sh
# Renders a template of this folder (alertmanager.yml.tmpl, notifications.tmpl) into a file
# Alertmanager can read, from the environment. POSIX sh + awk, so it runs on the host and in
# the busybox-based Alertmanager image alike.
#   usage: render.sh TEMPLATE OUTPUT
#
# Outside comment lines:
#   ${VAR} or ${VAR:-default}  the environment variable VAR; fails, naming VAR, when one without
#                              a default is unset or empty. `\` and `"` in a value are escaped, so
#                              a value belongs inside double quotes or where it cannot hold them.
#   <line>  # if VAR...        keeps the line, and the lines indented under it, only when every
#                              VAR is set and non-empty; otherwise drops them all.
#   <line>  # if secret NAME   the same, when the file $ALERTMANAGER_SECRETS_DIR/NAME exists and
#                              is not blank (a receiver's credential, read by Alertmanager from
#                              that file: the secret itself is never written into the output).
set -eu
template=$1
output=$2
awk '
  function indent_of(text) { match(text, /^ */); return RLENGTH }
  function secret_given(name,    path, content, line) {
    if (ENVIRON["ALERTMANAGER_SECRETS_DIR"] == "") return 0
    path = ENVIRON["ALERTMANAGER_SECRETS_DIR"] "/" name
    content = ""
    while ((getline line < path) > 0) content = content line
    close(path)
    return content ~ /[^[:space:]]/
  }
  # The words after "# if": variables, or "secret" and file names; true when all are given.
  function condition_holds(words,    n, i, w, secret) {
    n = split(words, w, /[[:space:]]+/)
    secret = (w[1] == "secret")
    for (i = secret ? 2 : 1; i <= n; i++) {
      if (w[i] == "") continue
      if (secret ? !secret_given(w[i]) : ENVIRON[w[i]] == "") return 0
    }
    return 1
  }
  # A value inside double quotes: \ and " escaped, character by character (gsub treats a
  # backslash in its replacement differently in each awk).
  function escaped(value,    out, c, i) {
    out = ""
    for (i = 1; i <= length(value); i++) {
      c = substr(value, i, 1)
      out = out ((c == "\\" || c == "\"") ? "\\" c : c)
    }
    return out
  }
  BEGIN { skip_below = -1 }
  {
    line = $0
    if (skip_below >= 0) {
      if (line ~ /^[[:space:]]*$/ || indent_of(line) > skip_below) next
      skip_below = -1
    }
  }
  /^[[:space:]]*#/ { print; next }
  {
    if (match(line, /[[:space:]]+# if [^#]*$/)) {
      words = substr(line, RSTART, RLENGTH)
      sub(/^[[:space:]]+# if[[:space:]]+/, "", words)
      line = substr(line, 1, RSTART - 1)
      if (!condition_holds(words)) { skip_below = indent_of(line); next }
    }
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
      out = out substr(line, 1, RSTART - 1) escaped(value)
      line = substr(line, RSTART + RLENGTH)
    }
    print out line
  }
' "$template" > "$output"
