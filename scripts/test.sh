#!/usr/bin/env bash
# Set up the machine and run every test: the workspace's Rust tests, then a release build of
# the node and the end-to-end tests (real nodes driven by @polkadot/api).
#   E2E_ONLY=1   skip the Rust tests          RUST_ONLY=1  skip the end-to-end tests
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
bash "$here/setup.sh"
source "$here/env.sh"
cd "$CRUCIBLE_ROOT"
t0=$SECONDS
if [ "${E2E_ONLY:-0}" != 1 ]; then
  echo "== cargo test (workspace, release profile: shares the node build's artifacts)"
  ws_cargo test --locked --release --workspace
fi
if [ "${RUST_ONLY:-0}" != 1 ]; then
  echo "== build crucible-node (with the test-only byzantine mode) and crucible-worker"
  build_node --features byzantine
  ws_cargo build --locked --release -p crucible-worker --bin crucible-worker
  echo "== end-to-end tests (@polkadot/api against real nodes)"
  ( cd tests && npm test )
fi
echo "== all tests passed in $((SECONDS - t0)) s"
