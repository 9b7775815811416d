#!/usr/bin/env bash
# The full test suite, from a fresh Debian machine or a warm one: installs what is missing,
# brings the sandbox up (real Asterisk 22, SIPp carrier and softphones, PostgreSQL, Redis),
# then typecheck, lint, unit and integration/e2e tests. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib/node.sh
source scripts/lib/node.sh
# shellcheck source=scripts/lib/browser.sh
source scripts/lib/browser.sh
require_node

step() { printf '\n== %s ==\n' "$*"; }

step "dependencies"
npm_install_if_needed
ensure_chromium
# The console the API serves (and the browser tests load) is built from console/.
npm run --silent build:console

step "sandbox"
bash scripts/sandbox.sh up

step "typecheck"
npm run --silent typecheck

step "lint"
npm run --silent lint

step "tests"
npx vitest run "$@"
