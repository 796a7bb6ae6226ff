# Shared environment of Crucible's scripts; source it, don't run it.
# One persistent target directory outside the checkout, so that fresh clones (CI) reuse builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/crucible-target}"
# The runtime's Wasm is built with Debian's Rust (see scripts/setup.sh).
export WASM_BUILD_TOOLCHAIN="${WASM_BUILD_TOOLCHAIN:-debian}"
export CRUCIBLE_NODE="${CRUCIBLE_NODE:-$CARGO_TARGET_DIR/release/crucible-node}"
CRUCIBLE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CRUCIBLE_ROOT
# The Wasm builder looks for Cargo.lock upwards from the target directory; with the target
# outside the checkout it must be told where the workspace is, or it resolves versions anew.
export WASM_BUILD_WORKSPACE_HINT="$CRUCIBLE_ROOT"
# The runtime's Wasm must not depend on where the checkout or the cargo home lies: rustc
# embeds source paths (panic locations), and CI builds a fresh clone at another path. The
# checked-in chain spec holds this Wasm, so map those paths to fixed names.
export WASM_BUILD_RUSTFLAGS="${WASM_BUILD_RUSTFLAGS:---remap-path-prefix=$CRUCIBLE_ROOT=/crucible --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo}"
mkdir -p "$CARGO_TARGET_DIR"

# Build the node (and with it the Wasm runtime) in release mode.
build_node() {
  ( cd "$CRUCIBLE_ROOT" && cargo build --locked --release -p crucible-node "$@" )
}
