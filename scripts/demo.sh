#!/usr/bin/env bash
# Run the bundled action on examples/ the way the GitHub runner runs it, against a local registry,
# BuildKit and package index on 127.0.0.1. Usage: scripts/demo.sh [build|check|plan]  (default: build)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ -d node_modules ]] || npm ci --no-audit --no-fund
bash scripts/infra.sh install
bash scripts/infra.sh start
# The servers listen on fixed loopback ports; leave none running for the next command.
trap 'bash scripts/infra.sh stop >/dev/null 2>&1 || true' EXIT
set -a
# shellcheck disable=SC1090
source <(bash scripts/infra.sh env)
set +a
out=.infra/harness
mkdir -p "$out"
# The runner stand-in is TypeScript shared with the tests; compile just it and the demo driver with
# the project's own compiler settings (scripts/tsconfig.demo.json extends tsconfig.json).
npx tsc -p scripts/tsconfig.demo.json
IMAGESPEC_ACTION_DIR="$PWD" node "$out/scripts/demo.js" "${1:-build}"
