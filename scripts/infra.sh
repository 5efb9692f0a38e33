#!/usr/bin/env bash
# Local test infrastructure on 127.0.0.1 only: container registries (plain, TLS + htpasswd, token
# auth), BuildKit with a buildx builder on it, and the seeded images and package index the example
# specs need. Used by the tests, the demo and CI.
#
#   scripts/infra.sh install   install packages and build pinned tools (cached between runs)
#   scripts/infra.sh start     start every server (idempotent) and seed what the examples need
#   scripts/infra.sh env       print KEY=VALUE lines describing the running servers
#   scripts/infra.sh stop      stop what start started
#
# State lives in $IMAGESPEC_INFRA_DIR (default: <repo>/.infra); built tools in $IMAGESPEC_TOOLS_DIR
# (default: /var/cache/imagespec-action), which survives across clones on one machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export REPO_ROOT="$(cd "$here/.." && pwd)"
export INFRA_DIR="${IMAGESPEC_INFRA_DIR:-$REPO_ROOT/.infra}"
export TOOLS_DIR="${IMAGESPEC_TOOLS_DIR:-/var/cache/imagespec-action}"
mkdir -p "$INFRA_DIR" "$TOOLS_DIR"

components=()
for c in registry buildkit seed python flyte2 node act; do
  [[ -f "$here/lib/$c.sh" ]] && components+=("$c")
done

cmd="${1:-}"
case "$cmd" in
  install|start|stop|env)
    order=("${components[@]}")
    if [[ "$cmd" == stop ]]; then order=(); for ((i=${#components[@]}-1; i>=0; i--)); do order+=("${components[i]}"); done; fi
    for c in "${order[@]}"; do bash "$here/lib/$c.sh" "$cmd"; done
    ;;
  *) echo "usage: $0 install|start|env|stop" >&2; exit 2 ;;
esac
