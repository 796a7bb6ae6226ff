#!/usr/bin/env bash
# Idempotent machine setup for Crucible on Debian 12 (bookworm) or newer.
#  - apt packages: Debian's Rust 1.96 + rust-src (for the Wasm runtime), lld-22,
#    protoc, clang, PoCL (OpenCL on the CPU) and the OpenCL ICD loader, Node.js.
#  - links Debian's toolchain into rustup as `debian` and seeds its
#    wasm32v1-none sysroot (core, alloc, compiler_builtins) once.
#  - installs the end-to-end tests' npm packages, and the examples' Python (numpy,
#    scikit-learn) in .venv (scripts/py-env.sh).
# Safe to run any number of times; each step is skipped when already done.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

APT_PKGS=(rustc-web cargo-web rust-web-src lld-22 protobuf-compiler clang libclang-dev
          pocl-opencl-icd ocl-icd-opencl-dev clinfo pkg-config libssl-dev make git curl
          ca-certificates python3 python3-venv)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing apt packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "apt packages present"
fi

# Node.js + npm for the end-to-end tests (the image usually has them).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  log "installing nodejs and npm"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm
fi

# rustup's stable toolchain builds the node; Debian's 1.96 builds the Wasm runtime.
if ! command -v cargo >/dev/null; then
  echo "cargo (rustup stable) not found: install rustup first" >&2; exit 1
fi
if ! rustup toolchain list | grep -q '^debian'; then
  log "linking Debian's Rust toolchain as rustup toolchain 'debian'"
  rustup toolchain link debian /usr
fi

# Debian's lld-22 ships `lld`/`wasm-ld` but no `rust-lld`, which rustc invokes to link Wasm;
# rustc looks for it in its sysroot's host bin directory.
lld_link=/usr/lib/rustlib/x86_64-unknown-linux-gnu/bin/rust-lld
if [ ! -x "$lld_link" ]; then
  log "linking rust-lld -> /usr/lib/llvm-22/bin/lld"
  $SUDO mkdir -p "$(dirname "$lld_link")"
  $SUDO ln -sf /usr/lib/llvm-22/bin/lld "$lld_link"
fi

sysroot=/usr/lib/rustlib/wasm32v1-none/lib
have_rlibs() {
  ls "$sysroot"/libcore-*.rlib "$sysroot"/liballoc-*.rlib "$sysroot"/libcompiler_builtins-*.rlib >/dev/null 2>&1
}
if ! have_rlibs; then
  log "seeding the wasm32v1-none sysroot from rust-web-src (~30 s)"
  d=$(mktemp -d)
  ( cd "$d" && cargo +debian new --lib sysroot-seed -q && cd sysroot-seed \
    && printf '#![no_std]\n' > src/lib.rs \
    && RUSTC_BOOTSTRAP=1 RUSTFLAGS="-C embed-bitcode=yes" CARGO_TARGET_DIR="$d/target" \
       cargo +debian build -q --release --target wasm32v1-none \
       -Zbuild-std=core,alloc -Zbuild-std-features=compiler-builtins-mem )
  $SUDO mkdir -p "$sysroot"
  $SUDO cp "$d"/target/wasm32v1-none/release/deps/lib{core,alloc,compiler_builtins}-*.rlib "$sysroot"/
  rm -rf "$d"
  # Cargo does not notice changed sysroot rlibs: drop stale Wasm builds.
  rm -rf "${CARGO_TARGET_DIR:-$HOME/.cache/crucible-target}"/*/wbuild 2>/dev/null || true
else
  log "wasm32v1-none sysroot present"
fi

# End-to-end test dependencies (@polkadot/api et al.), pinned by package-lock.json.
if [ -f "$here/tests/package.json" ]; then
  if [ ! -d "$here/tests/node_modules/@polkadot/api" ] || [ "$here/tests/package-lock.json" -nt "$here/tests/node_modules/.package-lock.json" ]; then
    log "installing npm packages for tests/"
    # chopsticks' sqlite3 compiles its native addon (no prebuilt binary can be downloaded
    # here): node-gyp takes Node's headers from Debian's nodejs package, not from the network.
    if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
      export npm_config_nodedir=/usr
    fi
    ( cd "$here/tests" && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi )
  else
    log "npm packages present"
  fi
fi

# The examples' Python (numpy, scikit-learn) in .venv.
source "$here/scripts/py-env.sh"
log "python for the examples: $CRUCIBLE_PY"

if command -v clinfo >/dev/null; then
  log "OpenCL: $(clinfo -l 2>/dev/null | tr -s ' ' | tr '\n' ' ' | head -c 200)"
fi
log "done"
