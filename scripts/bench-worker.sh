#!/usr/bin/env bash
# Benchmark the kernel library: OpenCL vs single-threaded Rust vs rayon, one run, one machine.
#   scripts/bench-worker.sh [--quick] [--device auto|P:D]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CRUCIBLE_ROOT"
ws_cargo build --locked --release -p crucible-worker --bin crucible-worker-bench --bin crucible-worker
# numpy for the open program's row (CRUCIBLE_PY; made once under .venv).
source scripts/py-env.sh
exec "$CARGO_TARGET_DIR/release/crucible-worker-bench" "$@"
