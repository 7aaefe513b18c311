#!/usr/bin/env bash
# Builds the release artifacts into dist/:
#   ocicache-<v>-cp39-abi3-manylinux*_x86_64.whl    the Python wheel (abi3: CPython >= 3.9; manylinux2014 in release)
#   ocicache-<v>.tar.gz                            the Python sdist (builds from itself alone)
#   ocicache-<v>.tgz                               the npm package: JS, typings, the WASM build
#   ocicache-linux-x64-gnu-<v>.tgz                 the npm platform package: the .node addon
#   ocicache-<v>.crate, ocicache-sha256-<v>.crate,
#   ocicache-deflate-<v>.crate                     the core crates, as `cargo package` makes them
#   SIZES.txt                                      each artifact's size, and the WASM file gzipped
#
#   scripts/package.sh [--dev]
#     --dev  dev-profile builds linked against this machine's glibc (what the
#            test command checks, to keep CI fast); the default is the
#            optimised, stripped release build linked for glibc 2.17 through
#            zig (ziglang from PyPI, cargo-zigbuild from crates.io)
#
# Only this machine's platform is built (linux x64, glibc); the npm package
# names only the platform packages that exist.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
ZIGLANG_VERSION=0.17.1
ZIGBUILD_VERSION=0.24.1
for arg in "$@"; do
  case "$arg" in
    --dev) profile=dev ;;
    *) echo "package.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
say() { printf '\n== %s\n' "$*"; }
export CARGO_TERM_COLOR=never

if [ "$profile" = release ]; then scripts/setup.sh --release; else scripts/setup.sh; fi

version=$(awk -F'"' '/^version = / { print $2; exit }' Cargo.toml)
npm_version=$(node -p 'require("./npm/package.json").version')
py_version=$(awk -F'"' '/^version = / { print $2; exit }' python/pyproject.toml)
if [ "$npm_version" != "$version" ] || [ "$py_version" != "$version" ]; then
  echo "package.sh: versions differ: Cargo.toml $version, npm $npm_version, Python $py_version" >&2
  exit 1
fi

rm -rf dist
mkdir -p dist
dist=$(cd dist && pwd)

# Release binaries link against glibc 2.17's symbols (manylinux2014), not
# this machine's 2.36, through zig: ziglang from PyPI, which maturin --zig
# and cargo-zigbuild both find as `python -m ziglang` on PATH.
if [ "$profile" = release ]; then
  say "zig (ziglang $ZIGLANG_VERSION) and cargo-zigbuild $ZIGBUILD_VERSION"
  .venv/bin/python -c "import ziglang" 2>/dev/null \
    || .venv/bin/pip install -q --disable-pip-version-check "ziglang==$ZIGLANG_VERSION"
  grep -q "^\"cargo-zigbuild $ZIGBUILD_VERSION " "${CARGO_HOME:-$HOME/.cargo}/.crates.toml" 2>/dev/null \
    || cargo install -q cargo-zigbuild --version "=$ZIGBUILD_VERSION"
  export PATH="$PWD/.venv/bin:$PATH"
fi

say "Python wheel ($profile) and sdist"
if [ "$profile" = release ]; then
  (cd python && ../.venv/bin/maturin build -q --release --strip --zig --compatibility manylinux2014 --out "$dist")
else
  (cd python && ../.venv/bin/maturin build -q --profile dev --out "$dist")
fi
# maturin probes for a Cargo.toml in python/ first and says so as an error; it is not one.
(cd python && ../.venv/bin/maturin sdist --out "$dist" 2>&1 | grep -v 'manifest path `Cargo.toml` does not exist')
wheel=$(ls "$dist"/ocicache-"$version"-*.whl)
.venv/bin/auditwheel show "$wheel"

say "npm platform package ($profile)"
triple=linux-x64-gnu
if [ "$profile" = release ]; then
  # The same addon napi built into npm/native, linked for glibc 2.17.
  cargo zigbuild -q --release -p ocicache-node --target x86_64-unknown-linux-gnu.2.17
  addon=target/x86_64-unknown-linux-gnu/release/libocicache_node.so
else
  addon=npm/native/ocicache.$triple.node
fi
test -f "$addon" || { echo "package.sh: $addon was not built" >&2; exit 1; }
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/platform" "$stage/main"
cp "$addon" "$stage/platform/ocicache.$triple.node"
if [ "$profile" = release ]; then
  strip --strip-unneeded "$stage/platform/ocicache.$triple.node"
  glibc=$(objdump -T "$stage/platform/ocicache.$triple.node" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)
  echo "the addon needs $glibc at most"
fi
node scripts/package-json.mjs platform "$triple" > "$stage/platform/package.json"
cp LICENSE "$stage/platform/"
(cd "$stage/platform" && npm pack -q --pack-destination "$dist" > /dev/null)

say "npm main package"
# The files the package.json lists (the WASM build among them), then the
# package.json as published: the platform package as an optional dependency,
# no scripts or devDependencies.
(cd npm && node -e 'for (const f of require("./package.json").files) console.log(f)') | while read -r f; do
  case "$f" in
    */) mkdir -p "$stage/main/$f" && cp -r "npm/$f." "$stage/main/$f" ;;
    *) mkdir -p "$stage/main/$(dirname "$f")" && cp "npm/$f" "$stage/main/$f" ;;
  esac
done
cp README.md LICENSE "$stage/main/"
node scripts/package-json.mjs main "$triple" > "$stage/main/package.json"
(cd "$stage/main" && npm pack -q --pack-destination "$dist" > /dev/null)

say "Rust crates"
allow_dirty=""; [ "$profile" = dev ] && allow_dirty=--allow-dirty
# Together: the core depends on ocicache-sha256 and ocicache-deflate, which are
# not on crates.io yet.
cargo package -q -p ocicache-sha256 -p ocicache-deflate -p ocicache --no-verify $allow_dirty
cp "target/package/ocicache-$version.crate" "target/package/ocicache-sha256-$version.crate" \
  "target/package/ocicache-deflate-$version.crate" "$dist/"

say "Sizes"
{
  for f in "$dist"/*.whl "$dist"/*.tar.gz "$dist"/*.tgz "$dist"/*.crate; do
    printf '%-58s %10d bytes\n' "$(basename "$f")" "$(stat -c %s "$f")"
  done
  printf '%-58s %10d bytes\n' "ocicache_wasm_bg.wasm (gzip -9)" "$(gzip -9c npm/wasm/ocicache_wasm_bg.wasm | wc -c)"
} | tee "$dist/SIZES.txt"
