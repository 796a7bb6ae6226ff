#!/usr/bin/env bash
# Regenerate the checked-in chain specs from the current runtime build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
[ "${SKIP_BUILD:-0}" = 1 ] || build_node
"$CRUCIBLE_NODE" export-chain-spec --chain local --raw > "$CRUCIBLE_ROOT/chain-specs/local-testnet.raw.json"
"$CRUCIBLE_NODE" export-chain-spec --chain local > "$CRUCIBLE_ROOT/chain-specs/local-testnet.json"
echo "wrote chain-specs/local-testnet.raw.json and chain-specs/local-testnet.json"
