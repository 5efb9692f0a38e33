#!/usr/bin/env bash
# Test set-up for the workflows run under act: the example specs push to $REGISTRY/$NAMESPACE
# (a namespace of one test run) instead of 127.0.0.1:5000/flyte, so each run starts with nothing
# pushed. Edits the job's copy of the work tree, never the checkout the tests run from.
set -euo pipefail
: "${REGISTRY:?}" "${NAMESPACE:?}"
cd "${GITHUB_WORKSPACE:?}"
for f in examples/base.yaml examples/app.yaml; do
  grep -qx 'registry: 127.0.0.1:5000/flyte' "$f" || { echo "::error file=$f::no 'registry: 127.0.0.1:5000/flyte' line to rewrite"; exit 1; }
  sed -i "s#^registry: 127\.0\.0\.1:5000/flyte\$#registry: $REGISTRY/$NAMESPACE#" "$f"
done
echo "specs push to $REGISTRY/$NAMESPACE"
