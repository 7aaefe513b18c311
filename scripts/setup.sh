#!/usr/bin/env bash
# Set-up for a fresh machine of this kind (Rust via rustup, Node 20+, Python
# 3.9+, Debian), safe to run again: each step is skipped when already done.
#   scripts/setup.sh [--browser] [--release]
#     --browser  also install what the tests need (Debian's packages): Chromium,
#                gzip and zstd, docker-registry (a real OCI registry), apache2-utils
#                (htpasswd), openssl (the token server's certificate), and for the
#                BuildKit interop suite runc, busybox-static and xz-utils
#     --release  build the bindings optimised (for benchmarks); default: dev
# Then builds the three bindings: npm/native (napi), npm/wasm (wasm-bindgen)
# and the Python package into .venv (maturin develop), and assembles the
# cache viewer into target/viewer.
set -euo pipefail
cd "$(dirname "$0")/.."
browser=0
profile=dev
for arg in "$@"; do
  case "$arg" in
    --browser) browser=1 ;;
    --release) profile=release ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
say() { printf '\n== %s\n' "$*"; }
export CARGO_TERM_COLOR=never

say "Rust toolchain: wasm32 target, rustfmt, clippy"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
for c in rustfmt clippy; do
  rustup component list --installed | grep -q "^$c" || rustup component add "$c"
done

# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$have" != "$want" ]; then
  say "wasm-bindgen-cli $want (have: ${have:-none})"
  cargo install wasm-bindgen-cli --version "=$want"
fi

if [ "$browser" = 1 ]; then
  # The tests need Chromium (browser tests), the gzip and zstd CLIs (interop),
  # a registry with htpasswd and openssl (registry tests), and runc and a
  # static busybox for BuildKit (the interop suite's daemon and RUN steps).
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v gzip >/dev/null || missing+=(gzip)
  command -v zstd >/dev/null || missing+=(zstd)
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  command -v htpasswd >/dev/null || missing+=(apache2-utils)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v runc >/dev/null || missing+=(runc)
  command -v xz >/dev/null || missing+=(xz-utils)
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  if [ ${#missing[@]} -gt 0 ]; then
    say "Debian packages: ${missing[*]}"
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

say "npm dependencies"
if [ ! -f npm/node_modules/.package-lock.json ] || [ npm/package.json -nt npm/node_modules/.package-lock.json ] \
  || [ npm/package-lock.json -nt npm/node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: @napi-rs/cli's optional platform packages break `npm ci` here.
  (cd npm && npm install --no-audit --no-fund --loglevel=error)
else
  echo "up to date"
fi

say "Python virtual environment (.venv)"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! cmp -s python/requirements-dev.txt .venv/requirements-dev.txt; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r python/requirements-dev.txt
  cp python/requirements-dev.txt .venv/requirements-dev.txt
else
  echo "up to date"
fi

say "Node addon ($profile)"
scripts/build-node.sh "$profile"

say "WebAssembly build ($profile)"
scripts/build-wasm.sh "$profile"

say "Cache viewer (target/viewer)"
scripts/build-viewer.sh

say "Python package ($profile)"
release_flag=""; [ "$profile" = release ] && release_flag="--release"
log=$(mktemp)
if ! (cd python && VIRTUAL_ENV="$PWD/../.venv" ../.venv/bin/maturin develop -q $release_flag) > "$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "setup.sh: the Python package did not build" >&2
  exit 1
fi
grep -v '^\s*Compiling' "$log" || true
rm -f "$log"
.venv/bin/python -c "import ocicache" || { echo "setup.sh: the Python package does not import" >&2; exit 1; }
