#!/usr/bin/env bash
# Assembles the browser cache viewer as static files in target/viewer/:
# the page (viewer/), the WASM package it runs on (npm/browser.mjs,
# npm/operations.mjs, and a WASM build of its own: the package's crate
# without the `full` feature, that is only reading, inspecting, verifying
# and gc planning, optimised for size except for hashing and inflating) and
# the bundled sample caches as tar files (tests/fixtures/buildkit;
# local-max as .tar.gz). Serve the folder with any web server, e.g.
# `python3 -m http.server -d target/viewer`, and open /viewer/.
# Needs npm's dependencies (binaryen) and wasm-bindgen (scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/viewer
rm -rf "$out"
mkdir -p "$out/viewer/samples" "$out/npm/wasm"
cp viewer/*.html viewer/*.mjs viewer/*.css "$out/viewer/"
cp npm/browser.mjs npm/operations.mjs "$out/npm/"
cargo build -q -p ocicache-wasm --target wasm32-unknown-unknown --profile wasm-release --no-default-features
wasm-bindgen --target web --out-dir "$out/npm/wasm" \
  --out-name ocicache_wasm target/wasm32-unknown-unknown/wasm-release/ocicache_wasm.wasm
# SHA-256's compress_one stays a function of its own, as in build-wasm.sh
# (found by its name, so the names go only after optimising).
node npm/node_modules/binaryen/bin/wasm-opt '--no-inline=*sha256*compress_one*' -O3 \
  --strip-debug --strip-producers --enable-simd --enable-bulk-memory \
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  --enable-reference-types --enable-multivalue \
  "$out/npm/wasm/ocicache_wasm_bg.wasm" -o "$out/npm/wasm/ocicache_wasm_bg.wasm"
rm -f "$out"/npm/wasm/*.d.ts
echo '{"type":"module"}' > "$out/npm/wasm/package.json"
printf '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=viewer/"><a href="viewer/">ocicache viewer</a>\n' > "$out/index.html"
entries=()
for dir in tests/fixtures/buildkit/*/; do
  name=$(basename "$dir")
  [ -f "$dir/cache/index.json" ] || continue
  description=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); o=c["commands"][-1].split("--export-cache ")[-1].split(" ")[0]; print(",".join(a for a in o.split(",") if not a.startswith("dest=")) + " of contexts/" + c["context"].split("/")[-1])' "$dir/case.json")
  if [ "$name" = local-max ]; then file="$name.tar.gz"; tar -C "$dir" -czf "$out/viewer/samples/$file" cache
  else file="$name.tar"; tar -C "$dir" -cf "$out/viewer/samples/$file" cache; fi
  entries+=("{\"name\":\"$name\",\"file\":\"$file\",\"description\":\"$description\"}")
done
(IFS=,; echo "[${entries[*]}]") > "$out/viewer/samples/index.json"
echo "viewer: $out ($(du -sh "$out" | cut -f1); WASM $(wc -c < "$out/npm/wasm/ocicache_wasm_bg.wasm") bytes, $(gzip -9 -c "$out/npm/wasm/ocicache_wasm_bg.wasm" | wc -c) gzipped)"
