#!/usr/bin/env bash
# The release artifacts in dist/ (scripts/package.sh) as a user meets them:
# installed into clean environments outside the repository, with a PATH that
# holds no cargo or rustc and a HOME of their own, and nothing fetched from a
# network (pip --no-index, npm --offline).
#
#   wheel   a fresh venv of the oldest and newest CPython pyenv has here
#           (3.9, 3.13): pip install, the main job with the `ocicache`
#           command, `python -m ocicache`, the API, and mypy --strict on a
#           user script against the installed stubs (and on a wrong one,
#           which must fail)
#   sdist   unpacked alone and built into a wheel (this one needs Rust)
#   npm     an empty project: npm install of both tarballs (the platform
#           package is the main one's optional dependency), the main job
#           with `npx ocicache`, require() and import, tsc on a user file
#           (and on a wrong one), and the browser entry bundled by esbuild
#           into a page that hashes and verifies a cache in Chromium
#
#   tests/packages/check.sh [DIST]   (default: dist)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
dist=$(cd "${1:-$repo/dist}" && pwd)
say() { printf '\n== packages: %s\n' "$*"; }
fail() { echo "packages: FAIL: $*" >&2; exit 1; }

version=$(awk -F'"' '/^version = / { print $2; exit }' "$repo/Cargo.toml")
wheel=$(ls "$dist"/ocicache-"$version"-cp39-abi3-*.whl)
sdist=$dist/ocicache-$version.tar.gz
main_tgz=$dist/ocicache-$version.tgz
platform_tgz=$dist/ocicache-linux-x64-gnu-$version.tgz
for f in "$wheel" "$sdist" "$main_tgz" "$platform_tgz"; do test -f "$f" || fail "missing artifact $f"; done

work=$(mktemp -d /tmp/ocicache-packages.XXXXXX)
trap 'rm -rf "$work"' EXIT
fixture=$repo/tests/fixtures/buildkit/twice/cache

# PATH without a Rust toolchain: every directory of PATH that has no cargo or rustc.
clean_path=""
IFS=: read -r -a dirs <<< "$PATH"
for d in "${dirs[@]}"; do
  [ -n "$d" ] && [ ! -e "$d/cargo" ] && [ ! -e "$d/rustc" ] && clean_path+="${clean_path:+:}$d"
done
# Runs a command as a user of the packages would: no Rust, a HOME of its own.
clean() {
  env -i HOME="$work/home" PATH="$1:$clean_path" LANG=C.UTF-8 npm_config_update_notifier=false "${@:2}"
}
mkdir -p "$work/home"
if clean /nonexistent sh -c 'command -v cargo || command -v rustc' > /dev/null; then
  fail "cargo or rustc is still on the clean PATH"
fi

# The main job on a fresh copy of the bundled cache (16 blobs, 7 unreachable).
main_job() {
  local bin=$1 cache=$2
  shift 2
  cp -r "$fixture" "$cache"
  clean "$bin" "$@" --version | grep -qx "ocicache $version" || fail "$* --version is not $version"
  clean "$bin" "$@" inspect "$cache" > "$cache.inspect" || fail "$* inspect"
  grep -q '^  12 records, 7 layers' "$cache.inspect" || fail "$* inspect: not the bundled cache's 12 records"
  clean "$bin" "$@" verify "$cache" | tail -1 | grep -q '^ok: 16 blobs' || fail "$* verify"
  clean "$bin" "$@" gc --dry-run --grace-period 0 "$cache" | tail -1 | grep -q '^would delete 7 blobs' || fail "$* gc --dry-run"
  [ "$(ls "$cache/blobs/sha256" | wc -l)" = 16 ] || fail "$* gc --dry-run deleted blobs"
  clean "$bin" "$@" gc --grace-period 0 "$cache" > /dev/null || fail "$* gc"
  [ "$(ls "$cache/blobs/sha256" | wc -l)" = 9 ] || fail "$* gc did not leave the 9 reachable blobs"
  clean "$bin" "$@" verify "$cache" | tail -1 | grep -q '^ok: 9 blobs' || fail "$* verify after gc"
}

for want in 3.9 3.13; do
  python=$(ls -d "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/"$want".*/bin/python"$want" 2>/dev/null | sort -V | tail -1)
  [ -x "$python" ] || fail "no CPython $want from pyenv (looked under \$(pyenv root)/versions/$want.*)"
  say "wheel on $("$python" --version) in a fresh venv"
  venv=$work/py$want
  clean /nonexistent "$python" -m venv "$venv"
  clean "$venv/bin" pip install -q --no-index --disable-pip-version-check "$wheel"
  main_job "$venv/bin" "$work/py$want-cache" ocicache
  clean "$venv/bin" python -m ocicache verify "$fixture" | tail -1 | grep -q '^ok: 16 blobs' || fail "python -m ocicache"
  (cd "$work" && clean "$venv/bin" python "$here/user.py" "$fixture") || fail "user.py on $want"
  say "mypy --strict on a user script against the stubs installed for $want"
  mkdir -p "$work/mypy$want" && cp "$here/user.py" "$here/user_wrong.py" "$work/mypy$want/"
  (cd "$work/mypy$want" && "$repo/.venv/bin/python" -m mypy --strict --no-incremental \
    --python-executable "$venv/bin/python" user.py) || fail "mypy on user.py against the installed stubs"
  if (cd "$work/mypy$want" && "$repo/.venv/bin/python" -m mypy --strict --no-incremental \
    --python-executable "$venv/bin/python" user_wrong.py > wrong.out); then
    fail "mypy passed user_wrong.py: the installed stubs are not what it checks"
  fi
  grep -q 'user_wrong.py:.*\[assignment\]' "$work/mypy$want/wrong.out" || { cat "$work/mypy$want/wrong.out"; fail "user_wrong.py failed for another reason"; }
done

say "sdist builds from itself alone"
mkdir -p "$work/sdist"
tar -xzf "$sdist" -C "$work/sdist"
# The sdist's files carry its build time; with the shared target dir, cargo
# would take an earlier sdist's build of them as current. Now is their time.
find "$work/sdist" -type f -exec touch {} +
# Rust is needed here (an sdist is source); the repository is not. Dev
# profile and the shared target dir keep it quick; pip's isolation is off
# so that no build backend is fetched (maturin comes from .venv).
(cd "$work/sdist/ocicache-$version" && PATH="$repo/.venv/bin:$PATH" CARGO_TARGET_DIR="$repo/target" MATURIN_PEP517_ARGS="--profile dev" \
  "$repo/.venv/bin/python" -m pip wheel -q --no-deps --no-build-isolation --disable-pip-version-check -w "$work/sdist/out" .)
built=$(ls "$work/sdist/out"/ocicache-"$version"-cp39-abi3-*.whl) || fail "the sdist built no wheel"
"$repo/.venv/bin/python" -m zipfile -l "$built" | grep -q 'ocicache/_native.pyi' || fail "the sdist's wheel has no stubs"

say "npm: an empty project installs both tarballs offline"
app=$work/app
mkdir -p "$app"
(cd "$app" && clean /nonexistent npm init -y > /dev/null)
(cd "$app" && clean /nonexistent npm install --offline --no-audit --no-fund --loglevel=error "$platform_tgz" "$main_tgz")
test -f "$app/node_modules/@ocicache/linux-x64-gnu/ocicache.linux-x64-gnu.node" || fail "the platform package was not installed"
test ! -e "$app/node_modules/ocicache/native" || fail "the main package carries a native/ folder"
main_job "$app/node_modules/.bin" "$work/npm-cache" ocicache
cp "$here/user.cjs" "$here/user.mjs" "$here/user.ts" "$here/user_wrong.ts" "$app/"
(cd "$app" && clean /nonexistent node user.cjs) || fail "require('ocicache')"
(cd "$app" && clean /nonexistent node user.mjs "$fixture") || fail "import from 'ocicache'"

say "npm: tsc --strict on a user file against the installed typings"
tsc=(node "$repo/npm/node_modules/typescript/bin/tsc" --strict --noEmit --module nodenext --moduleResolution nodenext --target es2022)
(cd "$app" && "${tsc[@]}" user.ts) || fail "tsc on user.ts"
if (cd "$app" && "${tsc[@]}" user_wrong.ts > wrong.out 2>&1); then
  fail "tsc passed user_wrong.ts: the installed typings are not what it checks"
fi
grep -q 'user_wrong.ts.*TS2322' "$app/wrong.out" || { cat "$app/wrong.out"; fail "user_wrong.ts failed for another reason"; }

say "npm: the browser entry bundled by esbuild, in Chromium"
mkdir -p "$app/page"
cp "$here/page.html" "$app/page/index.html"
cp "$here/page.mjs" "$app/page.mjs"
"$repo/npm/node_modules/.bin/esbuild" "$app/page.mjs" --bundle --format=esm --platform=browser \
  --target=es2022 --outfile="$app/page/app.js" --log-level=warning
# The WASM module is fetched beside the bundle (wasm-bindgen's import.meta.url).
cp "$app/node_modules/ocicache/wasm/ocicache_wasm_bg.wasm" "$app/page/"
node "$here/chromium.mjs" "$app/page" "$fixture"

say "all packages check out"
