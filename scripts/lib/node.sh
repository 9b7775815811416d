# Shared by the project's scripts: Node.js version check and dependency install.

require_node() {
  if ! command -v node >/dev/null 2>&1; then
    echo "ringwise needs Node.js 20.19 or newer (node not found). Install it, e.g. from nodejs.org or NodeSource, and retry." >&2
    exit 1
  fi
  local major minor
  IFS=. read -r major minor _ <<<"$(node -p 'process.versions.node')"
  if (( major < 20 || (major == 20 && minor < 19) )); then
    echo "ringwise needs Node.js 20.19 or newer (found $(node -v))." >&2
    exit 1
  fi
}

# npm ci when node_modules is missing or older than the lock file; otherwise nothing.
npm_install_if_needed() {
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  fi
}
