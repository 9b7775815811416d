#!/usr/bin/env bash
# The full test suite, from a fresh Debian machine or a warm one: installs what is missing,
# brings the sandbox up (real Asterisk 22, SIPp carrier and softphones, PostgreSQL, Redis),
# then typecheck, lint, unit and integration/e2e tests, and beside them (in the background) the
# compose smoke test: the images of deploy/compose.yaml built or brought up to date from Docker's
# cache, a campaign through the containers (scripts/compose-smoke.sh). Exits non-zero on any
# failure. RINGWISE_COMPOSE_SMOKE=0 leaves the smoke test out; it also stays out when arguments
# pick test files, unless RINGWISE_COMPOSE_SMOKE=1.
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
# Two Asterisk servers: the scale-out tests (test/e2e/scale/) need the slot's second one.
RINGWISE_SANDBOX_SERVERS=${RINGWISE_SANDBOX_SERVERS:-2} bash scripts/sandbox.sh up

# The compose smoke test mostly waits (image layers from cache, containers starting, calls
# ringing): it runs beside typecheck, lint and the tests instead of after them.
smoke=${RINGWISE_COMPOSE_SMOKE:-$([ $# -eq 0 ] && echo 1 || echo 0)}
smoke_pid='' smoke_log=''
if [ "$smoke" = 1 ]; then
  step "compose smoke test (in the background; its output follows the tests)"
  smoke_log=$(mktemp /tmp/ringwise-compose-smoke.XXXXXX.log)
  # Its own process group: stopped as a whole (the script then removes its containers) if this
  # script ends first.
  setsid bash scripts/compose-smoke.sh >"$smoke_log" 2>&1 </dev/null &
  smoke_pid=$!
  trap '[ -n "$smoke_pid" ] && kill -- -"$smoke_pid" 2>/dev/null; true' EXIT
fi

step "typecheck"
npm run --silent typecheck

step "lint"
npm run --silent lint

step "tests"
tests_rc=0
npx vitest run "$@" || tests_rc=$?

smoke_rc=0
if [ -n "$smoke_pid" ]; then
  step "compose smoke test"
  wait "$smoke_pid" || smoke_rc=$?
  smoke_pid=''
  if [ "$smoke_rc" -eq 0 ]; then
    grep -E '^\[compose-smoke|Test Files|Tests ' "$smoke_log" || true
  else
    cat "$smoke_log"
    echo "compose smoke test FAILED (exit $smoke_rc; log: $smoke_log)"
  fi
fi
[ "$tests_rc" -eq 0 ] && [ "$smoke_rc" -eq 0 ]
