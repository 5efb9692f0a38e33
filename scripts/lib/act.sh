#!/usr/bin/env bash
# nektos/act, a runner of GitHub Actions workflows independent of ours, for the workflow tests in
# __tests__/act: it runs `uses: ./` on the host (no Docker) with its own expression engine,
# job graph, matrix expansion and step contract.
#
#   act.sh install   build act from the Go module proxy, pinned, into $TOOLS_DIR/bin/act-<version>
#                    (cached across clones); Node 24 comes from node.sh, Node 20 is the machine's
#   act.sh env       IMAGESPEC_ACT=<the act binary>, IMAGESPEC_ACT_VERSION
#   act.sh start|stop  nothing to do: each test runs act itself, with a throwaway HOME
#
# Called by scripts/infra.sh with TOOLS_DIR exported; runs standalone too.
# Knob: IMAGESPEC_ACT_VERSION (default below).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[act %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
# shellcheck source=common.sh
source "$here/common.sh"
TOOLS_DIR="${TOOLS_DIR:-${IMAGESPEC_TOOLS_DIR:-/var/cache/imagespec-action}}"

ACT_VERSION="${IMAGESPEC_ACT_VERSION:-v0.2.89}"
ACT_MODULE=github.com/nektos/act
ACT_DIR="$TOOLS_DIR/bin/act-$ACT_VERSION"

install() {
  mkdir -p "$TOOLS_DIR/bin"
  exec 9> "$TOOLS_DIR/bin/.act-install.lock"
  flock -w 3600 9 || die "could not lock $TOOLS_DIR/bin/.act-install.lock"
  if [ -x "$ACT_DIR/act" ]; then return 0; fi
  local t0; t0=$(date +%s%N)
  export GOTOOLCHAIN="${IMAGESPEC_GOTOOLCHAIN:-auto}"
  log "building act $ACT_VERSION with $(go env GOVERSION); a cold build takes a few minutes"
  go_build "$ACT_MODULE" "$ACT_VERSION" "$ACT_DIR" "-s -w -X main.version=${ACT_VERSION#v}" .
  [ -x "$ACT_DIR/act" ] || die "the build of act $ACT_VERSION left no act binary in $ACT_DIR"
  "$ACT_DIR/act" --version >/dev/null || die "act $ACT_VERSION does not run"
  log "built act $ACT_VERSION in $(ms_since "$t0") ms"
}

case "${1:-}" in
  install) install ;;
  env) [ -x "$ACT_DIR/act" ] && printf 'IMAGESPEC_ACT=%s\nIMAGESPEC_ACT_VERSION=%s\n' "$ACT_DIR/act" "$ACT_VERSION" || true ;;
  start|stop|status) ;;
  *) echo "usage: $0 install|start|env|stop" >&2; exit 2 ;;
esac
