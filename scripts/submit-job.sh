#!/usr/bin/env bash
# Order a compute job with @polkadot/api and wait for its verified result; see
# tests/tools/submit-job.js for the options. Example (dev chain running):
#   scripts/submit-job.sh --workload 1 --dims 128
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -d "$root/tests/node_modules/@polkadot/api" ] || (cd "$root/tests" && npm install --no-audit --no-fund >/dev/null)
exec node "$root/tests/tools/submit-job.js" "$@"
