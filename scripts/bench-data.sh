#!/usr/bin/env bash
# Measure the data plane's throughput through the chain with the consumer CLI: start a dev chain
# (no compute worker), upload random files of each size with `scripts/crucible upload` (to
# finality) and download them with `scripts/crucible download` (bitswap_v1_get, every hash
# checked), compare, print a table.   SIZES_MIB="1 8 32" scripts/bench-data.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CRUCIBLE_ROOT"
work=$(mktemp -d)
trap 'kill "$node" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
"$CARGO_TARGET_DIR/release/crucible-node" --dev --base-path "$work/db" --rpc-port 9951 \
  --port 30998 --prometheus-port 9699 --no-telemetry --no-mdns --compute-worker none \
  > "$work/node.log" 2>&1 &
node=$!
url=ws://127.0.0.1:9951
for _ in $(seq 60); do
  curl -sf -H 'content-type: application/json' -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
    http://127.0.0.1:9951 >/dev/null && break
  sleep 1
done
last_json() { python3 -c "import json,sys; t=open(sys.argv[1]).read(); d=json.loads(t[t.index('\n{')+1:] if not t.startswith('{') else t); print(' '.join(str(d[k]) for k in sys.argv[2:]))" "$@"; }
printf '| size | upload to finality | upload MiB/s | cost | download | download MiB/s |\n| --- | --- | --- | --- | --- | --- |\n'
for mib in ${SIZES_MIB:-1 8 32}; do
  head -c $((mib * 1024 * 1024)) /dev/urandom > "$work/in.bin"
  scripts/crucible upload "$work/in.bin" --url "$url" > "$work/up.txt"
  read -r hash up_s up_rate cost < <(last_json "$work/up.txt" hash seconds mib_per_s cost)
  scripts/crucible download "$hash" "$work/out.bin" --url "$url" > "$work/down.txt"
  cmp -s "$work/in.bin" "$work/out.bin" || { echo "downloaded bytes differ for $mib MiB" >&2; exit 1; }
  read -r down_s down_rate < <(last_json "$work/down.txt" seconds mib_per_s)
  printf '| %s MiB | %s s | %s | %s CRU | %s s | %s |\n' "$mib" "$up_s" "$up_rate" "${cost% CRU}" "$down_s" "$down_rate"
done
