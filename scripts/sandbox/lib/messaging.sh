#!/usr/bin/env bash
# Sourced by scripts/sandbox.sh (not run on its own): the SMS and email side of the sandbox. A
# local SMPP server (binds, receipts, inbound messages on demand) and a local SMTP server that
# keeps what it receives, both small Node scripts on loopback, started and stopped by pid.
# shellcheck shell=bash disable=SC2154

SMPP_PORT=$((2775 + PORT_OFFSET))
SMPP_CONTROL_PORT=$((2776 + PORT_OFFSET))
SMTP_PORT=$((2525 + PORT_OFFSET))
SMTP_CONTROL_PORT=$((2526 + PORT_OFFSET))
SMPP_SYSTEM_ID=ringwise
SMPP_PASSWORD=sandbox1

# start_node_server NAME SCRIPT PORT ARGS...: (re)uses a running one, else starts it and waits for its port.
start_node_server() {
  local name=$1 script=$2 port=$3 i
  shift 3
  if alive "$RUN/$name.pid" "$script"; then return 0; fi
  tcp_open $HOST "$port" && die "TCP $HOST:$port is taken by a process this sandbox did not start"
  [[ -d $ROOT/node_modules/smpp && -d $ROOT/node_modules/smtp-server ]] || die "npm ci first: $name needs node_modules"
  # The lock descriptors (8, 9) must not outlive this script in a long-running child.
  nohup node "$script" "$@" </dev/null >>"$LOGS/$name.log" 2>&1 8>&- 9>&- &
  echo $! >"$RUN/$name.pid"
  for ((i = 0; i < 100; i++)); do tcp_open $HOST "$port" && return 0; sleep 0.1; done
  die "$name did not listen on $HOST:$port (see $LOGS/$name.log)"
}

start_messaging() {
  start_node_server smpp "$ROOT/scripts/sandbox/smpp-server.mjs" "$SMPP_PORT" \
    --port "$SMPP_PORT" --control-port "$SMPP_CONTROL_PORT" --system-id "$SMPP_SYSTEM_ID" --password "$SMPP_PASSWORD"
  start_node_server smtp "$ROOT/scripts/sandbox/smtp-server.mjs" "$SMTP_PORT" \
    --port "$SMTP_PORT" --control-port "$SMTP_CONTROL_PORT"
}

stop_messaging() {
  stop_pidfile "$RUN/smpp.pid" "scripts/sandbox/smpp-server.mjs" 3
  stop_pidfile "$RUN/smtp.pid" "scripts/sandbox/smtp-server.mjs" 3
}

messaging_env() {
  echo "RINGWISE_SMPP_URL=smpp://$HOST:$SMPP_PORT"
  echo "RINGWISE_SMPP_SYSTEM_ID=$SMPP_SYSTEM_ID"
  echo "RINGWISE_SMPP_PASSWORD=$SMPP_PASSWORD"
  echo "RINGWISE_SMTP_URL=smtp://$HOST:$SMTP_PORT"
  echo "SANDBOX_SMPP_CONTROL=http://$HOST:$SMPP_CONTROL_PORT"
  echo "SANDBOX_SMTP_CONTROL=http://$HOST:$SMTP_CONTROL_PORT"
}

messaging_status() {
  local name
  for name in smpp smtp; do
    if alive "$RUN/$name.pid" "scripts/sandbox/$name-server.mjs"; then
      printf '%-22s %s\n' "$name (node)" "running, pid $(<"$RUN/$name.pid")"
    else
      printf '%-22s %s\n' "$name (node)" "not running"
    fi
  done
}
