#!/usr/bin/env bash
# The main job on a bundled sample: checks every blob of a real BuildKit
# cache export (tests/fixtures/buildkit/twice: two exports into one directory)
# against its digest, through the Node package and then the Python package.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r tests/fixtures/buildkit/twice/cache "$work/cache"
printf '\n== Node: npx ocicache verify %s\n' "$work/cache"
node npm/bin/ocicache.mjs verify "$work/cache"
printf '\n== Python: ocicache verify %s\n' "$work/cache"
.venv/bin/ocicache verify "$work/cache"
