#!/usr/bin/env bash
# Benchmarks (not tests): builds the bindings optimised, then prints speeds
# and ratios against peers measured in the same run. Afterwards the bindings
# are release builds; scripts/test.sh switches back to dev builds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --release
(cd npm && node bench/digest.mjs && node bench/options.mjs && node bench/compression.mjs && node bench/cache_config.mjs)
.venv/bin/python python/bench/digest.py
.venv/bin/python python/bench/options.py
.venv/bin/python python/bench/compression.py
.venv/bin/python python/bench/cache_config.py
(cd python && ../.venv/bin/python bench/verify.py)
