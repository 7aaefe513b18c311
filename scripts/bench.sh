#!/usr/bin/env bash
# Benchmarks (not tests): builds the bindings optimised, then prints speeds
# and ratios against peers measured in the same run. Afterwards the bindings
# are release builds; scripts/test.sh switches back to dev builds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --release --browser
# The registry benchmark's peer.
if ! command -v skopeo >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq skopeo >/dev/null
fi
(cd npm && node bench/digest.mjs && node bench/options.mjs && node bench/compression.mjs && node bench/cache_config.mjs && node bench/viewer.mjs)
.venv/bin/python python/bench/digest.py
.venv/bin/python python/bench/options.py
.venv/bin/python python/bench/compression.py
.venv/bin/python python/bench/cache_config.py
# The cloud benchmark's peer: the aws CLI (PyPI awscli), in a venv of its
# own so that its botocore pin does not move boto3's in .venv.
if [ ! -x target/bench-awscli/bin/aws ]; then
  python3 -m venv target/bench-awscli
  target/bench-awscli/bin/pip install -q --disable-pip-version-check awscli
fi
(cd python && ../.venv/bin/python bench/verify.py && ../.venv/bin/python bench/registry.py && ../.venv/bin/python bench/cloud.py --rounds 3)
