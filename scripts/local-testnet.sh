#!/usr/bin/env bash
# Run the 3-validator local testnet (Alice, Bob, Charlie) on loopback from the checked-in
# chain spec. Each node gets its own base path and ports; Ctrl-C stops all three cleanly.
#   RPC:  alice ws://127.0.0.1:9944, bob :9945, charlie :9946
#   P2P:  30333, 30334, 30335     Prometheus: 9615, 9616, 9617
# BASE=/some/dir keeps the chains' data there (default: a fresh temporary directory).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
[ "${SKIP_BUILD:-0}" = 1 ] || build_node
SPEC="$CRUCIBLE_ROOT/chain-specs/local-testnet.raw.json"
BASE="${BASE:-$(mktemp -d -t crucible-testnet-XXXX)}"
# Alice's fixed node key gives the others a known bootnode address.
ALICE_KEY=0000000000000000000000000000000000000000000000000000000000000001
ALICE_PEER=12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp
pids=()
stop() {
  trap - INT TERM EXIT
  echo "stopping validators..."
  # Background jobs of a script ignore SIGINT; SIGTERM stops a node just as cleanly.
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 60); do
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  echo "stopped; data in $BASE"
  exit 0
}
trap stop INT TERM EXIT
i=0
for who in alice bob charlie; do
  args=(--chain "$SPEC" --base-path "$BASE/$who" --"$who" --validator
        --port $((30333 + i)) --rpc-port $((9944 + i)) --prometheus-port $((9615 + i))
        --no-mdns --no-telemetry --rpc-cors all --name "$who")
  if [ "$who" = alice ]; then args+=(--node-key "$ALICE_KEY");
  else
    # A persistent network key per validator, generated once.
    key="$BASE/$who/node-key"
    if [ ! -f "$key" ]; then mkdir -p "$BASE/$who" && "$CRUCIBLE_NODE" key generate-node-key --file "$key" 2>/dev/null; fi
    args+=(--node-key-file "$key" --bootnodes "/ip4/127.0.0.1/tcp/30333/p2p/$ALICE_PEER")
  fi
  "$CRUCIBLE_NODE" "${args[@]}" >"$BASE/$who.log" 2>&1 &
  pids+=($!)
  echo "$who: pid ${pids[-1]}, rpc ws://127.0.0.1:$((9944 + i)), log $BASE/$who.log"
  i=$((i + 1))
done
echo "Ctrl-C to stop."
wait -n "${pids[@]}" || true
echo "a validator exited; see the logs in $BASE"
