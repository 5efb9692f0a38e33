#!/usr/bin/env bash
# Run the bundled action on examples/ the way the GitHub runner runs it. Usage: scripts/demo.sh [plan|check|build]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ -d node_modules ]] || npm ci --no-audit --no-fund
out=.infra/harness
mkdir -p "$out"
# The runner stand-in is TypeScript shared with the tests; compile just it and the demo driver.
npx tsc --outDir "$out" --rootDir . --module commonjs --target es2022 --esModuleInterop --skipLibCheck \
  --types node scripts/demo.ts __tests__/support/runner.ts
IMAGESPEC_ACTION_DIR="$PWD" node "$out/scripts/demo.js" "${1:-plan}"
