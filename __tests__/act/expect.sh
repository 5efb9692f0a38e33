#!/usr/bin/env bash
# Assertions for the workflows under __tests__/act/workflows: a failed one prints an error
# annotation naming what differed and fails the step, so act's exit status and step results say so.
#
#   expect.sh eq    LABEL GOT WANT      GOT is exactly WANT
#   expect.sh match LABEL GOT REGEX     GOT matches the extended regular expression (whole value)
#   expect.sh ne    LABEL GOT OTHER     GOT is not OTHER
set -euo pipefail
op=$1 label=$2 got=$3 want=$4
# Workflow-command data escaping (%, CR, LF), so a value cannot end the annotation or start another.
esc() { local s=${1//%/%25}; s=${s//$'\r'/%0D}; printf '%s' "${s//$'\n'/%0A}"; }
fail() { printf '::error title=expectation failed::%s\n' "$(esc "$label: $1")"; exit 1; }
case "$op" in
  eq) [[ "$got" == "$want" ]] || fail "got '$got', want '$want'" ;;
  ne) [[ "$got" != "$want" ]] || fail "got '$got', which it must not be" ;;
  match) [[ "$got" =~ ^($want)$ ]] || fail "got '$got', which does not match /$want/" ;;
  *) fail "unknown operator $op" ;;
esac
printf 'ok: %s\n' "$label"
