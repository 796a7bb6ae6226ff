#!/usr/bin/env bash
# Build "the next release" of the runtime for the upgrade check (tests/e2e/upgrade.test.js):
# this tree's runtime with `spec_version + 1` and the `try-runtime` feature (the migrations'
# pre/post checks and every pallet's `try_state`). It is built from a copy outside the clone
# (~/.cache/crucible-next-src) into its own target directory (~/.cache/crucible-next-target),
# so that the node's Wasm and its incremental builds are left alone; only files whose content
# changed are copied, so a warm rebuild compiles only what changed.
# Prints the path of the compressed Wasm on its last line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
next_src="${CRUCIBLE_NEXT_SRC:-$HOME/.cache/crucible-next-src}"
next_target="${CRUCIBLE_NEXT_TARGET:-$HOME/.cache/crucible-next-target}"
mkdir -p "$next_src" "$next_target"
cd "$CRUCIBLE_ROOT"

# Copy what differs (the runtime's lib.rs is written below, with the next spec_version).
git ls-files -co --exclude-standard -z | while IFS= read -r -d '' f; do
	case "$f" in
		tests/* | chain-specs/* | *.md | runtime/src/lib.rs) continue ;;
	esac
	[ -f "$f" ] || continue
	if ! cmp -s "$f" "$next_src/$f"; then
		mkdir -p "$next_src/$(dirname "$f")"
		cp -p "$f" "$next_src/$f"
	fi
done
current=$(sed -n 's/^\tspec_version: \([0-9]*\),$/\1/p' runtime/src/lib.rs)
[ -n "$current" ] || { echo "no spec_version in runtime/src/lib.rs" >&2; exit 1; }
sed "s/^\tspec_version: $current,\$/\tspec_version: $((current + 1)),/" runtime/src/lib.rs \
	> "$next_target/lib.rs.next"
cmp -s "$next_target/lib.rs.next" "$next_src/runtime/src/lib.rs" \
	|| cp "$next_target/lib.rs.next" "$next_src/runtime/src/lib.rs"

echo "== build the next runtime (spec_version $((current + 1)), try-runtime) in $next_target" >&2
# The native side only drives the Wasm builder: a debug build; the Wasm is built for release.
CARGO_TARGET_DIR="$next_target" WASM_BUILD_TYPE=release WASM_BUILD_WORKSPACE_HINT="$next_src" \
	WASM_BUILD_RUSTFLAGS="" \
	cargo build --locked --manifest-path "$next_src/Cargo.toml" -p crucible-runtime \
	--features try-runtime >&2
echo "$next_target/debug/wbuild/crucible-runtime/crucible_runtime.compact.compressed.wasm"
