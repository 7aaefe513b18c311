#!/usr/bin/env bash
# Every test: Rust (fmt, clippy with warnings denied, cargo test), the Node
# package (native and WASM, the CLI, the surface), the WASM build in headless
# Chromium, the Python package (pytest, stubtest, mypy), the release
# artifacts in clean environments (tests/packages), and the interop suite
# against a real BuildKit (tests/buildkit). Sets up first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
say() { printf '\n== %s\n' "$*"; }
export CARGO_TERM_COLOR=never

say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy (host and wasm32), warnings denied"
cargo clippy -q --workspace --all-targets -- -D warnings
cargo clippy -q -p ocicache --all-targets --features oci-spec -- -D warnings
cargo clippy -q -p ocicache-wasm --target wasm32-unknown-unknown -- -D warnings
cargo clippy -q -p ocicache-wasm --target wasm32-unknown-unknown --no-default-features -- -D warnings
say "napi's generated typings (index.d.ts, types/) are the committed ones"
git diff --exit-code -- npm/index.d.ts npm/types
test -z "$(git status --porcelain -- npm/types)" || { git status --porcelain -- npm/types; exit 1; }
say "Rust tests, and the core's docs without a warning"
cargo test -q -p ocicache --features oci-spec
cargo test -q -p ocicache-sha256 -p ocicache-deflate
RUSTDOCFLAGS="-D warnings" cargo doc -q -p ocicache -p ocicache-sha256 -p ocicache-deflate --no-deps --features oci-spec
say "The core crates package and build alone (cargo package)"
cargo package -q -p ocicache-sha256 -p ocicache-deflate -p ocicache --offline --allow-dirty
say "Node tests: native, WASM in Node, WASM in Chromium, CLI, surface, registry, viewer"
(cd npm && node --test test/*.test.mjs)
say "Python: stubtest and mypy --strict"
(cd python && ../.venv/bin/python -m mypy.stubtest ocicache && ../.venv/bin/python -m mypy --strict ocicache tests)
say "Python tests"
(cd python && ../.venv/bin/python -m pytest -q)
say "Release artifacts (scripts/package.sh --dev), installed and used in clean environments"
scripts/package.sh --dev
tests/packages/check.sh
say "BuildKit interop suite (tests/buildkit): both CLIs, imported by a real BuildKit"
(cd tests/buildkit && MYPYPATH=../../python/tests ../../.venv/bin/python -m mypy --strict --cache-dir ../../target/mypy-buildkit .)
.venv/bin/python -m pytest tests/buildkit -q -p no:cacheprovider
