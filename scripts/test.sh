#!/usr/bin/env bash
# Set up the machine and run every test: the lint stage (rustfmt, taplo, eslint, clippy), the
# workspace's Rust tests, then a release build of the node, the next release of the runtime for
# the upgrade check, and the end-to-end tests (real nodes driven by @polkadot/api).
#   E2E_ONLY=1   skip the Rust tests          RUST_ONLY=1  skip the end-to-end tests
#   SKIP_LINT=1  skip the lint stage
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
bash "$here/setup.sh"
source "$here/env.sh"
cd "$CRUCIBLE_ROOT"
t0=$SECONDS
if [ "${SKIP_LINT:-0}" != 1 ]; then
  bash scripts/lint.sh
fi
if [ "${E2E_ONLY:-0}" != 1 ]; then
  echo "== cargo test (workspace, release profile: shares the node build's artifacts)"
  ws_cargo test --locked --release --workspace
fi
if [ "${RUST_ONLY:-0}" != 1 ]; then
  echo "== build crucible-node (with the test-only byzantine mode) and crucible-worker"
  build_node --features byzantine
  ws_cargo build --locked --release -p crucible-worker --bin crucible-worker
  echo "== build the next release of the runtime (spec_version + 1, try-runtime) for the upgrade check"
  CRUCIBLE_NEXT_RUNTIME="$(bash scripts/build-next-runtime.sh | tail -1)"
  export CRUCIBLE_NEXT_RUNTIME
  echo "== end-to-end tests (@polkadot/api against real nodes)"
  ( cd tests && npm test )
fi
echo "== all tests passed in $((SECONDS - t0)) s"
