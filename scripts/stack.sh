#!/usr/bin/env bash
# The whole ringwise stack on this machine, for a first look and for demos:
#   bash scripts/stack.sh up       sandbox (Asterisk 22, SIPp carrier + softphones, PostgreSQL,
#                                  Redis), migrations, API and worker, then a demo campaign
#   bash scripts/stack.sh status   what runs, and readiness
#   bash scripts/stack.sh down     stops the API, the worker and the sandbox
# Idempotent: `up` twice restarts the API and worker on the current code and runs the demo again.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STATE="$ROOT/.sandbox/stack"
API_PORT=${STACK_API_PORT:-3000}
API="http://127.0.0.1:$API_PORT"

# shellcheck source=scripts/lib/node.sh
source scripts/lib/node.sh

say() { printf '%s\n' "$*"; }
step() { printf '\n== %s ==\n' "$*"; }

load_env() {
  set -a
  # shellcheck disable=SC1091
  source "$ROOT/.sandbox/env"
  set +a
  export RINGWISE_API_PORT=$API_PORT NODE_ENV=${NODE_ENV:-development}
}

alive() { [ -f "$STATE/$1.pid" ] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

stop_proc() {
  local name=$1
  if alive "$name"; then
    local pid; pid=$(cat "$STATE/$name.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$STATE/$name.pid"
}

start_proc() {
  local name=$1; shift
  stop_proc "$name"
  nohup node dist/main.js "$@" >>"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
}

wait_ready() {
  for _ in $(seq 1 100); do
    if curl -fsS "$API/readyz" >/dev/null 2>&1; then return 0; fi
    alive api || { say "the API exited; its log:"; tail -n 30 "$STATE/api.log"; return 1; }
    sleep 0.2
  done
  say "the API did not become ready; /readyz says:"; curl -sS "$API/readyz" || true; echo
  return 1
}

admin_key() {
  [ -e "$STATE/admin.key" ] && chmod 600 "$STATE/admin.key"
  if [ ! -s "$STATE/admin.key" ]; then
    # An admin key: readable by its owner only (umask before the file exists, not chmod after).
    (umask 077 && node dist/main.js keys create --role admin --name stack-demo 2>/dev/null >"$STATE/admin.key.tmp")
    mv "$STATE/admin.key.tmp" "$STATE/admin.key"
  fi
  cat "$STATE/admin.key"
}

cmd_up() {
  require_node
  step "dependencies and build"
  npm_install_if_needed
  npm run --silent build
  step "sandbox"
  bash scripts/sandbox.sh up
  mkdir -p "$STATE"
  load_env
  step "database"
  node dist/main.js migrate
  step "api and worker"
  start_proc api api
  start_proc worker worker
  wait_ready
  say "api ready at $API (console at $API/console/, docs at $API/docs), worker pid $(cat "$STATE/worker.pid")"
  step "demo campaign"
  KEY=$(admin_key) API="$API" node --import tsx scripts/demo-campaign.ts
  cmd_where
}

cmd_where() {
  cat <<MSG

Where to look:
  the console         $API/console/        (sign in with the admin key in .sandbox/stack/admin.key)
  API docs            $API/docs            (admin key in .sandbox/stack/admin.key)
  readiness, metrics  $API/readyz  $API/metrics
  the call ledger     curl -H "Authorization: Bearer \$(cat .sandbox/stack/admin.key)" "$API/v1/calls"
  API / worker logs   .sandbox/stack/api.log  .sandbox/stack/worker.log
  Asterisk console    bash scripts/sandbox.sh status   (and its asterisk -rx examples)
  stop everything     bash scripts/stack.sh down
MSG
}

cmd_status() {
  for p in api worker; do
    if alive "$p"; then say "$p: running (pid $(cat "$STATE/$p.pid"))"; else say "$p: stopped"; fi
  done
  curl -sS "$API/readyz" 2>/dev/null && echo || say "api: not answering on $API"
  say "console: $API/console/"
  bash scripts/sandbox.sh status
}

cmd_down() {
  stop_proc worker
  stop_proc api
  bash scripts/sandbox.sh down
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) say "usage: bash scripts/stack.sh up|status|down" >&2; exit 2 ;;
esac
