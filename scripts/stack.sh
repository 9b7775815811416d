#!/usr/bin/env bash
# The whole ringwise stack on this machine, for a first look and for demos:
#   bash scripts/stack.sh up [--workers N] [--asterisk M]
#                                  sandbox (Asterisk 22, SIPp carrier + softphones, PostgreSQL,
#                                  Redis), migrations, API and N workers (1-8; worker i serves
#                                  /healthz, /readyz, /metrics on port 3000+i) dialing through M
#                                  Asterisk servers (1 or 2), then a demo campaign
#   bash scripts/stack.sh status   what runs, and readiness
#   bash scripts/stack.sh down     stops the API, the worker and the sandbox
# Idempotent: `up` twice restarts the API and worker on the current code and runs the demo again.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# The sandbox slot's state (RINGWISE_SANDBOX_SLOT, as scripts/sandbox.sh); ports can be moved off
# 3000/3001+ with STACK_API_PORT and STACK_WORKER_PORT_BASE (worker i listens on base + i).
SLOT=${RINGWISE_SANDBOX_SLOT:-0}
if [ "$SLOT" = 0 ]; then SANDBOX_DIR="$ROOT/.sandbox"; else SANDBOX_DIR="$ROOT/.sandbox-s$SLOT"; fi
STATE="$SANDBOX_DIR/stack"
API_PORT=${STACK_API_PORT:-3000}
WORKER_PORT_BASE=${STACK_WORKER_PORT_BASE:-3000}
API="http://127.0.0.1:$API_PORT"

# shellcheck source=scripts/lib/node.sh
source scripts/lib/node.sh

say() { printf '%s\n' "$*"; }
step() { printf '\n== %s ==\n' "$*"; }

load_env() {
  set -a
  # shellcheck disable=SC1091
  source "$SANDBOX_DIR/env"
  set +a
  if [ "$SLOT" != 0 ]; then
    # Another slot's stack must not share slot 0's database or queues.
    export DATABASE_URL="${DATABASE_URL%/*}/ringwise_s$SLOT" RINGWISE_QUEUE_PREFIX="ringwise-s$SLOT"
  fi
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
  # A key kept from a run against another database (or revoked since) is made again.
  if [ -s "$STATE/admin.key" ] && ! curl -fs -o /dev/null -H "Authorization: Bearer $(cat "$STATE/admin.key")" "$API/v1/campaigns?limit=1"; then
    rm -f "$STATE/admin.key"
  fi
  if [ ! -s "$STATE/admin.key" ]; then
    # An admin key: readable by its owner only (umask before the file exists, not chmod after).
    (umask 077 && node dist/main.js keys create --role admin --name stack-demo 2>/dev/null >"$STATE/admin.key.tmp")
    mv "$STATE/admin.key.tmp" "$STATE/admin.key"
  fi
  cat "$STATE/admin.key"
}

WORKERS=1
SERVERS=1
parse_up_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --workers) WORKERS=${2:-}; shift 2 ;;
      --asterisk) SERVERS=${2:-}; shift 2 ;;
      *) say "unknown option $1 (usage: bash scripts/stack.sh up [--workers N] [--asterisk M])" >&2; exit 2 ;;
    esac
  done
  [[ $WORKERS =~ ^[1-8]$ ]] || { say "--workers must be 1-8" >&2; exit 2; }
  [[ $SERVERS =~ ^[12]$ ]] || { say "--asterisk must be 1 or 2 (the sandbox runs at most two servers)" >&2; exit 2; }
}

# RINGWISE_ASTERISK_SERVERS for the sandbox's two servers (names match its inter-server trunks).
servers_json() {
  printf '[{"name":"asterisk-1","ariUrl":"%s","amiHost":"%s","amiPort":%s},{"name":"asterisk-2","ariUrl":"%s","amiHost":"%s","amiPort":%s}]' \
    "$ARI_URL" "$AMI_HOST" "$AMI_PORT" "$ASTERISK_2_ARI_URL" "$AMI_HOST" "$ASTERISK_2_AMI_PORT"
}

stop_workers() {
  local f
  for f in "$STATE"/worker*.pid; do
    [ -e "$f" ] || continue
    stop_proc "$(basename "$f" .pid)"
  done
}

cmd_up() {
  parse_up_args "$@"
  require_node
  step "dependencies and build"
  npm_install_if_needed
  npm run --silent build
  step "sandbox"
  RINGWISE_SANDBOX_SERVERS=$SERVERS bash scripts/sandbox.sh up
  mkdir -p "$STATE"
  load_env
  step "database"
  if [ "$SLOT" != 0 ]; then
    psql "${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = 'ringwise_s$SLOT'" | grep -q 1 ||
      psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE ringwise_s$SLOT"
  fi
  node dist/main.js migrate
  step "api and $WORKERS worker(s) on $SERVERS Asterisk server(s)"
  start_proc api api
  stop_workers
  local i
  for ((i = 1; i <= WORKERS; i++)); do
    if [ "$SERVERS" = 2 ]; then
      RINGWISE_ASTERISK_SERVERS=$(servers_json) RINGWISE_WORKER_ID="$(hostname)-$i" RINGWISE_WORKER_HTTP_PORT=$((WORKER_PORT_BASE + i)) start_proc "worker-$i" worker
    else
      RINGWISE_WORKER_ID="$(hostname)-$i" RINGWISE_WORKER_HTTP_PORT=$((WORKER_PORT_BASE + i)) start_proc "worker-$i" worker
    fi
  done
  wait_ready
  say "api ready at $API (docs at $API/docs); workers on http://127.0.0.1:$((WORKER_PORT_BASE + 1))..$((WORKER_PORT_BASE + WORKERS)) (/readyz, /metrics)"
  step "demo campaign"
  KEY=$(admin_key) API="$API" node --import tsx scripts/demo-campaign.ts
  cmd_where
}

cmd_where() {
  cat <<MSG

Where to look:
  the console         $API/console/        (sign in with the admin key in $STATE/admin.key)
  API docs            $API/docs            (admin key in $STATE/admin.key)
  readiness, metrics  $API/readyz  $API/metrics   worker i: http://127.0.0.1:$((WORKER_PORT_BASE))+i/readyz, /metrics
  the call ledger     curl -H "Authorization: Bearer \$(cat $STATE/admin.key)" "$API/v1/calls"
  contact plans       curl -H "Authorization: Bearer \$(cat $STATE/admin.key)" "$API/v1/campaigns/<id>/plans"   (tier, step, why it waits or ended)
  SMS and email       curl -H "Authorization: Bearer \$(cat $STATE/admin.key)" "$API/v1/messages"   (the message ledger)
  what was delivered  the sandbox's SMSC: curl ${SANDBOX_SMPP_CONTROL:-<SANDBOX_SMPP_CONTROL>}/messages   mailbox: curl ${SANDBOX_SMTP_CONTROL:-<SANDBOX_SMTP_CONTROL>}/messages
  API / worker logs   $STATE/api.log  $STATE/worker-<i>.log
  Asterisk console    bash scripts/sandbox.sh status   (and its asterisk -rx examples)
  stop everything     bash scripts/stack.sh down
MSG
}

cmd_status() {
  local f p
  for f in "$STATE"/api.pid "$STATE"/worker*.pid; do
    [ -e "$f" ] || continue
    p=$(basename "$f" .pid)
    if alive "$p"; then say "$p: running (pid $(cat "$f"))"; else say "$p: stopped"; fi
  done
  curl -sS "$API/readyz" 2>/dev/null && echo || say "api: not answering on $API"
  say "console: $API/console/"
  bash scripts/sandbox.sh status
}

cmd_down() {
  stop_workers
  stop_proc api
  bash scripts/sandbox.sh down
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) say "usage: bash scripts/stack.sh up [--workers N] [--asterisk M] | status | down" >&2; exit 2 ;;
esac
