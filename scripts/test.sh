#!/usr/bin/env bash
# The full test suite on a fresh machine: dependencies, local registries and BuildKit, then jest.
# Everything runs against real servers on 127.0.0.1; nothing is skipped for want of a server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
bash scripts/infra.sh install
bash scripts/infra.sh start
trap 'bash scripts/infra.sh stop >/dev/null 2>&1 || true' EXIT
set -a
# shellcheck disable=SC1090
source <(bash scripts/infra.sh env)
set +a

# The end-to-end tests run the bundle, so it must be current.
npm run --silent build

report="$(mktemp --suffix=.json)"
status=0
npx jest --ci --json --outputFile="$report" "$@" || status=$?
# jest's own closing lines are not one of the formats CI reads; print the plain one.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report"
rm -f "$report"
exit "$status"
