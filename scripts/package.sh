#!/usr/bin/env bash
# Builds the release artifacts into dist/:
#   ocicache-<v>-cp39-abi3-manylinux_*_x86_64.whl   the Python wheel (abi3: CPython >= 3.9)
#   ocicache-<v>.tar.gz                            the Python sdist (builds from itself alone)
#   ocicache-<v>.tgz                               the npm package: JS, typings, the WASM build
#   ocicache-linux-x64-gnu-<v>.tgz                 the npm platform package: the .node addon
#   ocicache-<v>.crate                             the core crate, as `cargo package` makes it
#   SIZES.txt                                      each artifact's size, and the WASM file gzipped
#
#   scripts/package.sh [--dev]
#     --dev  dev-profile builds (what the test command checks, to keep CI fast);
#            the default is the optimised, stripped release build
#
# Only this machine's platform is built (linux x64, glibc); the npm package
# names only the platform packages that exist.
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
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

say "Python wheel ($profile) and sdist"
if [ "$profile" = release ]; then
  (cd python && ../.venv/bin/maturin build -q --release --strip --out "$dist")
else
  (cd python && ../.venv/bin/maturin build -q --profile dev --out "$dist")
fi
# maturin probes for a Cargo.toml in python/ first and says so as an error; it is not one.
(cd python && ../.venv/bin/maturin sdist --out "$dist" 2>&1 | grep -v 'manifest path `Cargo.toml` does not exist')
wheel=$(ls "$dist"/ocicache-"$version"-*.whl)
.venv/bin/auditwheel show "$wheel"

say "npm platform package ($profile)"
triple=linux-x64-gnu
addon=npm/native/ocicache.$triple.node
test -f "$addon" || { echo "package.sh: $addon was not built" >&2; exit 1; }
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/platform" "$stage/main"
cp "$addon" "$stage/platform/"
[ "$profile" = release ] && strip --strip-unneeded "$stage/platform/ocicache.$triple.node"
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

say "Rust crate"
allow_dirty=""; [ "$profile" = dev ] && allow_dirty=--allow-dirty
cargo package -q -p ocicache --no-verify $allow_dirty
cp "target/package/ocicache-$version.crate" "$dist/"

say "Sizes"
{
  for f in "$dist"/*.whl "$dist"/*.tar.gz "$dist"/*.tgz "$dist"/*.crate; do
    printf '%-58s %10d bytes\n' "$(basename "$f")" "$(stat -c %s "$f")"
  done
  printf '%-58s %10d bytes\n' "ocicache_wasm_bg.wasm (gzip -9)" "$(gzip -9c npm/wasm/ocicache_wasm_bg.wasm | wc -c)"
} | tee "$dist/SIZES.txt"
