# Shared environment of Crucible's scripts; source it, don't run it.
# One persistent target directory outside the checkout, so that fresh clones (CI) reuse builds.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/crucible-target}"
# The runtime's Wasm is built with Debian's Rust (see scripts/setup.sh).
export WASM_BUILD_TOOLCHAIN="${WASM_BUILD_TOOLCHAIN:-debian}"
export CRUCIBLE_NODE="${CRUCIBLE_NODE:-$CARGO_TARGET_DIR/release/crucible-node}"
CRUCIBLE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CRUCIBLE_ROOT
# The runtime's Wasm must come out byte for byte the same from every checkout (CI builds a fresh
# clone elsewhere, and the checked-in chain spec holds this Wasm). Two things tie it to paths:
# * cargo hashes a path dependency's absolute path into its `-C metadata` (type ids, symbol
#   names, code layout) whenever it lies outside the building workspace, which for the Wasm
#   builder's own workspace under the target directory is always the case;
# * rustc embeds source paths (panic locations).
# So cargo always sees the checkout through one fixed link (as srtool builds at one fixed path),
# and the remaining paths are mapped to fixed names.
CRUCIBLE_BUILD_LINK="${CRUCIBLE_BUILD_LINK:-/tmp/crucible-src}"
if [ -e "$CRUCIBLE_BUILD_LINK" ] && [ ! -L "$CRUCIBLE_BUILD_LINK" ]; then
  echo "$CRUCIBLE_BUILD_LINK exists and is not a symlink; set CRUCIBLE_BUILD_LINK elsewhere" >&2
  return 1
fi
ln -sfn "$CRUCIBLE_ROOT" "$CRUCIBLE_BUILD_LINK"
export CRUCIBLE_BUILD_LINK
# The Wasm builder looks for Cargo.lock upwards from the target directory; with the target
# outside the checkout it must be told where the workspace is, or it resolves versions anew.
export WASM_BUILD_WORKSPACE_HINT="$CRUCIBLE_BUILD_LINK"
export WASM_BUILD_RUSTFLAGS="${WASM_BUILD_RUSTFLAGS:---remap-path-prefix=$CRUCIBLE_BUILD_LINK=/crucible --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo --remap-path-prefix=$CARGO_TARGET_DIR=/target}"
mkdir -p "$CARGO_TARGET_DIR"

# cargo on the workspace, through the fixed link: `ws_cargo build --release -p crucible-node`.
ws_cargo() {
  local sub="$1"; shift
  cargo "$sub" --manifest-path "$CRUCIBLE_BUILD_LINK/Cargo.toml" "$@"
}
# Build the node (and with it the Wasm runtime) in release mode.
build_node() {
  ws_cargo build --locked --release -p crucible-node "$@"
}
