#!/usr/bin/env bash
# Builds the WebAssembly package into npm/wasm: cargo for wasm32, then
# wasm-bindgen (web target: ES module + .wasm, also loadable by Node).
# Usage: scripts/build-wasm.sh [dev|release]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-dev}
if [ "$profile" = release ]; then
  cargo build -q -p ocicache-wasm --target wasm32-unknown-unknown --release
  dir=release
else
  cargo build -q -p ocicache-wasm --target wasm32-unknown-unknown
  dir=debug
fi
rm -rf npm/wasm
wasm-bindgen --target web --out-dir npm/wasm --out-name ocicache_wasm \
  "target/wasm32-unknown-unknown/$dir/ocicache_wasm.wasm"
if [ "$profile" = release ]; then
  # Debian's wasm-opt is too old for wasm-bindgen 0.2.13x output; npm's binaryen is not.
  # SHA-256's compress_one has one caller, so binaryen would inline it into the
  # four-block loop, and V8 then runs that loop 13-21 % slower (see
  # core/sha256/src/simd128.rs). -O4 adds a flatten pass that costs SHA-256
  # 2-3 % (1.20x instead of 1.23x hash-wasm, the target being 1.2x) and gives
  # gunzip about 4 % (1.65x against 1.58x fflate, in-process A/B within
  # +-5 %, when inflating was miniz_oxide's; on zlib-rs gunzip is 1.76-1.78x
  # at -O3): -O3, for the target.
  node npm/node_modules/binaryen/bin/wasm-opt '--no-inline=*sha256*compress_one*' -O3 \
    --enable-simd --enable-bulk-memory \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-reference-types --enable-multivalue \
    npm/wasm/ocicache_wasm_bg.wasm -o npm/wasm/ocicache_wasm_bg.wasm
fi
echo '{"type":"module"}' > npm/wasm/package.json
