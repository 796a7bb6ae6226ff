#!/usr/bin/env bash
# Set up the machine, build the node and run a development chain (Alice authors alone).
# Extra arguments go to crucible-node, e.g. scripts/run-dev.sh --rpc-external
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
bash "$here/setup.sh"
source "$here/env.sh"
build_node
cat <<TXT

  Crucible dev chain starting (state is kept in a temporary directory and
  discarded on exit; add --base-path DIR to keep it).

  RPC (WebSocket + HTTP):  ws://127.0.0.1:9944
  polkadot.js apps:        https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A9944#/explorer
  Prometheus metrics:      http://127.0.0.1:9615/metrics
  Dev accounts:            //Alice .. //Ferdie, 1,000,000 CRU each; Alice holds sudo.
  Compute:                 Alice and Bob are the genesis compute providers; this node
                           runs their jobs on its embedded OpenCL worker (see the log
                           line "Embedded compute worker on ..."). Order jobs as Charlie,
                           e.g.  scripts/submit-job.sh --workload 1 --dims 128

TXT
exec "$CRUCIBLE_NODE" --dev --rpc-cors all "$@"
