#!/usr/bin/env bash
# The main job on a bundled sample: a real BuildKit cache export
# (tests/fixtures/buildkit/twice: two exports into one directory, so 7 of its
# 16 blobs are unreachable). On a copy of it: inspect, verify and
# gc --dry-run, then gc, then verify again — through the Node package, and
# the same again on a fresh copy through the Python package.
#
# The copy's blobs are brand new, so gc runs with --grace-period 0 (the
# default, 10 minutes, protects blobs a concurrent export may still be
# linking into index.json).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

job() {
  local name=$1 cache=$2
  shift 2
  cp -r tests/fixtures/buildkit/twice/cache "$cache"
  for step in "inspect" "verify" "gc --dry-run --grace-period 0" "gc --grace-period 0" "verify"; do
    printf '\n== %s: ocicache %s %s\n' "$name" "$step" "$cache"
    # shellcheck disable=SC2086
    "$@" $step "$cache"
  done
}

job Node "$work/node-cache" node npm/bin/ocicache.mjs
job Python "$work/python-cache" .venv/bin/ocicache
