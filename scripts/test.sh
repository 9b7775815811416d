#!/usr/bin/env bash
# The full test suite, from a fresh Debian machine or a warm one: installs what is missing,
# brings the sandbox up (real Asterisk 22, SIPp carrier and softphones, PostgreSQL, Redis),
# then typecheck, lint, unit and integration/e2e tests, and beside them (in the background) the
# compose smoke test: the images of deploy/compose.yaml built or brought up to date from Docker's
# cache, a campaign through the containers (scripts/compose-smoke.sh). Exits non-zero on any
# failure. RINGWISE_COMPOSE_SMOKE=0 leaves the smoke test out; it also stays out when arguments
# pick test files, unless RINGWISE_COMPOSE_SMOKE=1.
#
# The integration and e2e files run in RINGWISE_TEST_SHARDS (default 2) vitest processes at once,
# each against a sandbox slot of its own (RINGWISE_SANDBOX_SLOT, then the next ones): those tests
# mostly wait on real calls, timers and rings, so two shards finish in little more than half the
# time on 2 cores. Each file still has its own database and Redis prefix. Arguments (test files
# or vitest options) run one vitest process on the first slot, as before.
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

base_slot=${RINGWISE_SANDBOX_SLOT:-0}
shards=$([ $# -eq 0 ] && echo "${RINGWISE_TEST_SHARDS:-2}" || echo 1)
if ! [[ "$shards" =~ ^[1-8]$ ]] || ((base_slot + shards > 8)); then
  echo "RINGWISE_TEST_SHARDS must be 1-8 and fit the sandbox slots 0-7 from RINGWISE_SANDBOX_SLOT ($base_slot)" >&2
  exit 2
fi

step "sandbox (slots $base_slot to $((base_slot + shards - 1)))"
# Two Asterisk servers in each: the scale-out tests (test/e2e/scale/) need the slot's second one.
for ((i = 0; i < shards; i++)); do
  RINGWISE_SANDBOX_SLOT=$((base_slot + i)) RINGWISE_SANDBOX_SERVERS=${RINGWISE_SANDBOX_SERVERS:-2} bash scripts/sandbox.sh up
done

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

# What each step ended with, printed again at the very end (the summary step).
results=()
verdict() { if [ "$1" -eq 0 ]; then echo passed; else echo "FAILED (exit $1)"; fi; }
logs=$(mktemp -d /tmp/ringwise-test-logs.XXXXXX)

step "typecheck"
npm run --silent typecheck

step "lint"
npm run --silent lint

tests_rc=0
if [ "$shards" -eq 1 ]; then
  step "tests"
  (set -o pipefail; RINGWISE_SANDBOX_SLOT=$base_slot npx vitest run "$@" 2>&1 | tee "$logs/tests.log") || tests_rc=$?
  results+=("tests: $(verdict "$tests_rc")")
else
  step "unit tests"
  unit_rc=0
  (set -o pipefail; npx vitest run --project unit 2>&1 | tee "$logs/unit.log") || unit_rc=$?
  results+=("unit tests: $(verdict "$unit_rc")")
  ((unit_rc == 0)) || tests_rc=1
  step "integration and e2e tests: $shards shards at once, each on its own sandbox slot (lines prefixed [shard n])"
  shard_pids=()
  for ((i = 1; i <= shards; i++)); do
    (
      set -o pipefail
      RINGWISE_SANDBOX_SLOT=$((base_slot + i - 1)) npx vitest run --project integration --shard="$i/$shards" 2>&1 | tee "$logs/shard-$i.log" | sed -u "s/^/[shard $i] /"
    ) &
    shard_pids+=($!)
  done
  for i in "${!shard_pids[@]}"; do
    rc=0
    wait "${shard_pids[$i]}" || rc=$?
    results+=("integration shard $((i + 1)): $(verdict "$rc")")
    ((rc == 0)) || tests_rc=1
  done
fi

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
  results+=("compose smoke test: $(verdict "$smoke_rc")")
fi

# The last lines name what failed: a CI page that shows only the end of the output still says
# which step failed and which tests (vitest's own list of failures is far above, in its step).
step "summary"
printf '%s\n' "${results[@]}"
cat "$logs"/*.log 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | grep -E '^ *(FAIL|×) |❯ .*failed|retry x[0-9]|Unhandled (Error|Rejection)|Errors +[0-9]+ error' | sort -u | head -40 || true
[ "$tests_rc" -eq 0 ] && [ "$smoke_rc" -eq 0 ]
