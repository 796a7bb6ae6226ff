#!/usr/bin/env bash
# Run the two example open programs (examples/histogram, examples/mlp-digits) against a running
# dev chain: publish them, opt the dev providers in, upload the data, order the jobs, download
# and check the outputs; prints latencies, the MLP's accuracy and the cost as JSON.
#   examples/run.sh [--url ws://127.0.0.1:9944] [--suri //Dave]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/py-env.sh"
exec node "$root/tests/tools/run-examples.js" --python "$CRUCIBLE_PY" "$@"
