#!/usr/bin/env bash
# Run Crucible's pallets' benchmarks on the runtime's Wasm and write their weights.rs, with
# frame-omni-bencher (stable2609: 0.28.0). The node carries no `benchmark` subcommand: in
# stable2609 frame-benchmarking-cli pulls cumulus/XCM crates whose `runtime-benchmarks`
# features do not unify with a solochain node's.
#   STEPS=50 REPEAT=20 scripts/bench-pallet.sh [compute-market|blobs ...]   (default: both)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CRUCIBLE_ROOT"
if ! command -v frame-omni-bencher >/dev/null; then
  echo "installing frame-omni-bencher 0.28.0 (a long compile, once)"
  # SKIP_WASM_BUILD: a dependency builds a test runtime for `benchmark storage`, which we do not use.
  SKIP_WASM_BUILD=1 CARGO_TARGET_DIR="$HOME/.cache/omni-bencher-target" \
    cargo install --locked frame-omni-bencher --version 0.28.0
fi
# WASM=<file> runs a runtime already built with `--features runtime-benchmarks`.
if [ -z "${WASM:-}" ]; then
  ws_cargo build --locked --release -p crucible-runtime --features runtime-benchmarks
  WASM="$CARGO_TARGET_DIR/release/wbuild/crucible-runtime/crucible_runtime.compact.compressed.wasm"
fi
for dir in "${@:-compute-market blobs}"; do
  for pallet in $dir; do
    frame-omni-bencher v1 benchmark pallet \
      --runtime "$WASM" \
      --genesis-builder-preset development \
      --pallet "pallet_${pallet//-/_}" \
      --extrinsic '*' \
      --wasm-execution compiled \
      --steps "${STEPS:-20}" \
      --repeat "${REPEAT:-10}" \
      --heap-pages 4096 \
      --template scripts/pallet-weight-template.hbs \
      --output "pallets/$pallet/src/weights.rs"
    echo "wrote pallets/$pallet/src/weights.rs"
  done
done
echo "rebuild the runtime without runtime-benchmarks"
