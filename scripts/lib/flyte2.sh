#!/usr/bin/env bash
# The Flyte 2 SDK (`flyte` on PyPI), pinned, in its own venv: the reference the Flyte 2 image
# evaluator (src/flyte2) is tested against (__tests__/flyte2). Separate from flytekit's venv
# (python.sh): the two SDKs pin different protobuf/grpc stacks.
#
#   flyte2.sh install   create $TOOLS_DIR/venv/flyte-<version> (cached across clones)
#   flyte2.sh env       IMAGESPEC_FLYTE2_PYTHON=<the venv's python>
#   flyte2.sh start|stop  nothing to do
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "[flyte2] $*" >&2; }
# shellcheck source=common.sh
source "$here/common.sh"
TOOLS_DIR="${TOOLS_DIR:-${IMAGESPEC_TOOLS_DIR:-/var/cache/imagespec-action}}"

FLYTE_VERSION=2.12.1
VENV="$TOOLS_DIR/venv/flyte-$FLYTE_VERSION"

install() {
  venv_install "$VENV" "import flyte; assert flyte.__version__ == '$FLYTE_VERSION', flyte.__version__" "flyte==$FLYTE_VERSION"
}

case "${1:-}" in
  install) install ;;
  env) [ -x "$VENV/bin/python" ] && echo "IMAGESPEC_FLYTE2_PYTHON=$VENV/bin/python" || true ;;
  start|stop|status) ;;
  *) echo "usage: $0 install|start|env|stop" >&2; exit 2 ;;
esac
