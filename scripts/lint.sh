#!/usr/bin/env bash
# The fast checks, run by scripts/test.sh (and so by .ci/run) before any long build or test:
# formatting (rustfmt, taplo), the JS tests' linter (eslint) and clippy with warnings as errors.
# Exits non-zero on the first failure, naming the tool.
#   scripts/lint.sh          check           FIX=1 scripts/lint.sh   format in place, then check
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CRUCIBLE_ROOT"
t0=$SECONDS
step() { echo "== lint: $*"; }
bin=tests/node_modules/.bin
if [ "${FIX:-0}" = 1 ]; then
	ws_cargo fmt --all
	"$bin/taplo" fmt
	(cd tests && npx --no-install eslint --fix .)
fi
step "rustfmt"
ws_cargo fmt --all --check
step "taplo (TOML)"
"$bin/taplo" fmt --check 2>&1 | grep -v "^ INFO" || true
"$bin/taplo" fmt --check >/dev/null 2>&1 || { echo "taplo: TOML not formatted (FIX=1 scripts/lint.sh)"; exit 1; }
step "eslint (tests/)"
(cd tests && npm run --silent lint)
step "clippy (workspace, all targets, -D warnings)"
# Without the Wasm runtime (as polkadot-sdk's CI runs clippy: the Wasm builder cannot run under
# clippy's wrapper), in a target directory of its own, so that the stub runtime this builds
# never replaces the real one in the node's build.
SKIP_WASM_BUILD=1 CARGO_TARGET_DIR="${CLIPPY_TARGET_DIR:-$HOME/.cache/crucible-clippy-target}" \
	ws_cargo clippy --locked --workspace --all-targets -- -D warnings
step "clippy (the pallets with their benchmarks and try-runtime checks)"
SKIP_WASM_BUILD=1 CARGO_TARGET_DIR="${CLIPPY_TARGET_DIR:-$HOME/.cache/crucible-clippy-target}" \
	ws_cargo clippy --locked -p pallet-compute-market -p pallet-blobs --all-targets \
	--features runtime-benchmarks,try-runtime -- -D warnings
echo "== lint passed in $((SECONDS - t0)) s"
