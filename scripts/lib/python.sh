#!/usr/bin/env bash
# The reference implementation itself: a Python venv with flytekit and PyYAML from PyPI, pinned,
# for the differential tests (__tests__/differential) and the plan benchmark (bench/).
#
#   python.sh install   create $TOOLS_DIR/venv/flytekit-<version> (cached across clones)
#   python.sh env       IMAGESPEC_FLYTEKIT_PYTHON=<the venv's python>
#   python.sh start|stop  nothing to do
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "[python] $*" >&2; }
# shellcheck source=common.sh
source "$here/common.sh"
REPO_ROOT="${REPO_ROOT:-$(cd "$here/../.." && pwd)}"
TOOLS_DIR="${TOOLS_DIR:-${IMAGESPEC_TOOLS_DIR:-/var/cache/imagespec-action}}"

FLYTEKIT_VERSION=1.16.24
PYYAML_VERSION=6.0.3
VENV="$TOOLS_DIR/venv/flytekit-$FLYTEKIT_VERSION-pyyaml-$PYYAML_VERSION"

install() {
  venv_install "$VENV" "import flytekit, yaml; assert flytekit.__version__ == '$FLYTEKIT_VERSION', flytekit.__version__" \
    "flytekit==$FLYTEKIT_VERSION" "PyYAML==$PYYAML_VERSION"
}

case "${1:-}" in
  install) install ;;
  env) [ -x "$VENV/bin/python" ] && echo "IMAGESPEC_FLYTEKIT_PYTHON=$VENV/bin/python" || true ;;
  start|stop|status) ;;
  *) echo "usage: $0 install|start|env|stop" >&2; exit 2 ;;
esac
