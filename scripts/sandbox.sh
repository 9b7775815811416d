#!/usr/bin/env bash
# ringwise telephony sandbox: real Asterisk 22 (Debian sid chroot), a SIPp carrier, SIPp agent
# softphones, PostgreSQL and Redis, all on 127.0.0.1. Run as root. See asterisk-config/README.md.
#
#   bash scripts/sandbox.sh up          start (or reuse) everything; writes .sandbox/env
#   bash scripts/sandbox.sh status      what runs, ARI reachable, registered contacts
#   bash scripts/sandbox.sh down        stop everything this sandbox started (by pid)
#   bash scripts/sandbox.sh softphone start <username> <password> <local-port> <answer|noanswer>
#   bash scripts/sandbox.sh softphone stop <username>
#   bash scripts/sandbox.sh rx '<asterisk CLI command>'   e.g. rx 'pjsip show contacts'
#   bash scripts/sandbox.sh verify      end-to-end checks by hand (scripts/sandbox/verify.sh)
#   RINGWISE_SANDBOX_SLOT=N (0-7, default 0) picks a separate sandbox: own ports, own .sandbox-sN/
#   RINGWISE_SANDBOX_SERVERS=2 (up) runs a second Asterisk in the slot; RINGWISE_SANDBOX_SERVER=2 aims softphone/rx at it
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${RINGWISE_SANDBOX_CACHE:-/var/cache/ringwise}
CHROOT=$CACHE/asterisk-sid
CHROOT_STAMP=$CACHE/asterisk-sid.stamp
# Changing this list rebuilds the chroot (the stamp records what it was built with).
CHROOT_PACKAGES=asterisk,asterisk-modules,asterisk-core-sounds-en-gsm,asterisk-moh-opsound-gsm

# A slot is one complete sandbox: its own Asterisk (config, astdb, spool, logs), SIPp carrier,
# softphones and ports, from the one shared chroot. Slot 0 is the default (CI, the stack, the
# bench); slots 1-7 let several checkouts (or a second Asterisk server) run side by side.
SLOT=${RINGWISE_SANDBOX_SLOT:-0}
[[ $SLOT =~ ^[0-7]$ ]] || { echo "[sandbox] ERROR: RINGWISE_SANDBOX_SLOT must be 0-7, got '$SLOT'" >&2; exit 2; }
# A slot can run a second Asterisk server (RINGWISE_SANDBOX_SERVERS=2, for several-server tests):
# its own config dir, astdb, spool, logs, carrier and state (.sandbox<slot>-2/), ports 500 above
# the first's inside the slot's block, the upper half of the slot's RTP range, and a PJSIP trunk
# to the other server. RINGWISE_SANDBOX_SERVER=2 points softphone/rx/status at the second.
SERVERS=${RINGWISE_SANDBOX_SERVERS:-1}
[[ $SERVERS =~ ^[12]$ ]] || { echo "[sandbox] ERROR: RINGWISE_SANDBOX_SERVERS must be 1 or 2, got '$SERVERS'" >&2; exit 2; }
SERVER=${RINGWISE_SANDBOX_SERVER:-1}
[[ $SERVER =~ ^[12]$ ]] || { echo "[sandbox] ERROR: RINGWISE_SANDBOX_SERVER must be 1 or 2, got '$SERVER'" >&2; exit 2; }
if [[ $SLOT == 0 ]]; then
  SLOT_SFX='' SLOT_OFFSET=0 SLOT_RTP_START=10000 SLOT_RTP_END=19999
else
  # Slot N's SIP/AMI/ARI/softphone ports sit 15000 + N*1000 above slot 0's (21060, 24088, ...),
  # clear of slot 0's RTP range; its RTP range is a 1,200-port block from 30000.
  SLOT_SFX=-s$SLOT SLOT_OFFSET=$((15000 + SLOT * 1000))
  SLOT_RTP_START=$((30000 + (SLOT - 1) * 1200)) SLOT_RTP_END=$((30000 + SLOT * 1200 - 1))
fi
SLOT_STATE=$ROOT/.sandbox$SLOT_SFX
HOST=127.0.0.1
SIP_REALM=ringwise
ARI_USER=ringwise
AMI_USER=ringwise
# Every SIPp: control socket on loopback only (it binds 0.0.0.0:8888+ otherwise), and a watchdog
# that never ends a long-running process on a busy machine.
SIPP_COMMON=(-ci 127.0.0.1 -watchdog_major_maxtriggers 100000000 -watchdog_minor_maxtriggers 100000000)

# Sets every per-server variable for server $1 (1 or 2) of this slot.
use_server() {
  local n=$1 half=$(((SLOT_RTP_END - SLOT_RTP_START + 1) / 2))
  SERVER_NO=$n
  SERVER_NAME=asterisk-$n
  if [[ $n == 1 ]]; then
    SFX=$SLOT_SFX PORT_OFFSET=$SLOT_OFFSET CARRIER_MEDIA_PORT=$((40000 + SLOT * 10))
    RTP_START=$SLOT_RTP_START RTP_END=$SLOT_RTP_END
    [[ $SERVERS == 2 ]] && RTP_END=$((SLOT_RTP_START + half - 1))
  else
    SFX=$SLOT_SFX-2 PORT_OFFSET=$((SLOT_OFFSET + 500)) CARRIER_MEDIA_PORT=$((40000 + SLOT * 10 + 5))
    RTP_START=$((SLOT_RTP_START + half)) RTP_END=$SLOT_RTP_END
  fi
  STATE=$ROOT/.sandbox$SFX
  RUN=$STATE/run
  LOGS=$STATE/logs
  AUDIO=$STATE/audio
  AST_ETC=/etc/asterisk-ringwise$SFX
  AST_CONF=$AST_ETC/asterisk.conf
  AST_VAR=/var/lib/asterisk$SFX
  AST_SPOOL=/var/spool/asterisk$SFX
  AST_RUN=/var/run/asterisk$SFX
  AST_LOG=/var/log/asterisk$SFX
  PROMPTS_IN_CHROOT=/var/lib/ringwise$SFX/prompts
  RECORDINGS_IN_CHROOT=$AST_SPOOL/recording
  ARI_PORT=$((8088 + PORT_OFFSET))
  AMI_PORT=$((5038 + PORT_OFFSET))
  SIP_PORT=$((5060 + PORT_OFFSET))
  SIP_TLS_PORT=$((5061 + PORT_OFFSET))
  CARRIER_PORT=$((5070 + PORT_OFFSET))
  # The second server gets no demo agents: tests register their own softphones to it.
  if [[ $n == 1 ]]; then
    DEMO_AGENTS=("agent-demo-1 $((5081 + PORT_OFFSET)) answer" "agent-demo-2 $((5082 + PORT_OFFSET)) noanswer")
  else
    DEMO_AGENTS=()
  fi
}
use_server "$SERVER"

for lib in common services asterisk sipp agents messaging; do
  # shellcheck source=/dev/null
  source "$ROOT/scripts/sandbox/lib/$lib.sh"
done

# ------------------------------------------------------------------------------------------------
# Commands
# ------------------------------------------------------------------------------------------------
prepare_state() {
  mkdir -p "$STATE" "$RUN/softphones" "$LOGS" "$AUDIO"
  exec 9>"$STATE/lock"
  flock -w 600 9 || die "another sandbox.sh holds $STATE/lock"
  # One Asterisk chroot per machine; one set of ports per slot, whichever checkout brings it up.
  mkdir -p "$CACHE"
  exec 8>"$CACHE/sandbox$SFX.lock"
  flock -w 600 8 || die "another checkout's sandbox.sh holds $CACHE/sandbox$SFX.lock"
}

cmd_up() {
  local t0 n
  t0=$(now_ms)
  need_root
  use_server 1
  prepare_state
  ensure_tools
  ensure_postgres
  ensure_redis
  ensure_chroot
  for ((n = 1; n <= SERVERS; n++)); do
    use_server "$n"
    prepare_state
    up_server
  done
  if [[ $SERVERS == 1 ]]; then
    # A second server left from an earlier two-server run would hold stale ports and config.
    use_server 2
    if [[ -d $STATE ]]; then prepare_state; down_server; fi
  fi
  use_server 1
  start_messaging
  write_env
  log "up in $(( $(now_ms) - t0 )) ms: ARI http://$HOST:$ARI_PORT, AMI $HOST:$AMI_PORT, SIP $HOST:$SIP_PORT (TLS :$SIP_TLS_PORT), carrier $HOST:$CARRIER_PORT$( [[ $SERVERS == 2 ]] && echo "; server 2: ARI http://$HOST:$((ARI_PORT + 500)), SIP $HOST:$((SIP_PORT + 500))"); env in $STATE/env"
}

# One Asterisk server of the slot (the variables of use_server): config, Asterisk, carrier, demo agents.
up_server() {
  local confhash i entry user port mode pass_var rc
  load_secrets
  stop_foreign_sandbox
  confhash=$(render_config)
  start_asterisk "$confhash"
  start_carrier
  i=1
  for entry in "${DEMO_AGENTS[@]}"; do
    read -r user port mode <<<"$entry"
    pass_var=AGENT_DEMO_${i}_PASSWORD
    provision_agent "$user" "${!pass_var}"
    rc=0
    softphone_start "$user" "${!pass_var}" "$port" "$mode" 2>/dev/null || rc=$?
    [[ $rc -eq 0 ]] || die "demo softphone $user did not register (exit $rc; see $LOGS/softphone-$user-errors.log)"
    i=$((i + 1))
  done
}

cmd_down() {
  need_root
  local left ver n
  # The second server too, whether or not RINGWISE_SANDBOX_SERVERS says 2 now.
  for n in 2 1; do
    use_server "$n"
    [[ $n == 1 || -d $STATE ]] || continue
    prepare_state
    down_server
    [[ $n == 1 ]] && stop_messaging
    # Anything of ours still alive (a pid file lost by a crashed run): found by its unique command
    # line, stopped by pid.
    left=$(our_leftovers)
    if [[ -n $left ]]; then
      log "stopping leftover sandbox processes: $left"
      # shellcheck disable=SC2086
      kill -TERM $left 2>/dev/null || true
      sleep 1
      left=$(our_leftovers)
      # shellcheck disable=SC2086
      [[ -z $left ]] || kill -KILL $left 2>/dev/null || true
      sleep 0.2
    fi
    left=$(our_leftovers)
    [[ -z $left ]] || die "processes still running: $left"
  done
  if [[ -f $RUN/redis.pid ]]; then
    log "stopping the redis-server this sandbox started"
    stop_pidfile "$RUN/redis.pid" "redis-server" 5
  fi
  if [[ -f $RUN/started-postgres ]]; then
    ver=$(<"$RUN/started-postgres")
    log "stopping the PostgreSQL $ver/main this sandbox started"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main stop || true
    rm -f "$RUN/started-postgres"
  fi
  log "down: no sandbox process left"
}

# Softphones, carrier and Asterisk of one server (the variables of use_server), by pid file.
down_server() {
  local f user
  for f in "$RUN"/softphones/*.pid; do
    [[ -e $f ]] || continue
    user=$(basename "$f" .pid)
    stop_pidfile "$f" "-s $user " 3
    rm -f "$RUN/softphones/$user.conf" "$RUN/softphones/$user.port"
  done
  stop_pidfile "$RUN/carrier.pid" "test/sipp/carrier.xml" 3
  rm -f "$RUN/carrier.hash"
  stop_asterisk
}

# Pids of processes this sandbox starts: Asterisk with our config, SIPp with our scenarios.
our_leftovers() {
  { pgrep -f -- "-C $AST_CONF" || true; pgrep -f -- "$ROOT/test/sipp/.*$STATE/" || true; } | sort -u | tr '\n' ' ' | sed 's/ $//'
}

cmd_status() {
  local f user ok=0
  printf '%-22s %s\n' "chroot" "$( [[ -f $CHROOT_STAMP ]] && echo "$CHROOT ($(chroot "$CHROOT" /usr/sbin/asterisk -V 2>/dev/null))" || echo "not built")"
  if alive "$RUN/asterisk.pid" "$AST_CONF"; then
    printf '%-22s %s\n' "asterisk" "running, pid $(<"$RUN/asterisk.pid")"
  else
    printf '%-22s %s\n' "asterisk" "not running"; ok=1
  fi
  if [[ -f $SLOT_STATE/secrets.env ]]; then
    # shellcheck disable=SC1091
    source "$SLOT_STATE/secrets.env"
    if curl -sf -o /dev/null -u "$ARI_USER:$ARI_PASSWORD" "http://$HOST:$ARI_PORT/ari/asterisk/info"; then
      printf '%-22s %s\n' "ari" "reachable at http://$HOST:$ARI_PORT"
    else
      printf '%-22s %s\n' "ari" "NOT reachable"; ok=1
    fi
  fi
  if alive "$RUN/carrier.pid" "test/sipp/carrier.xml"; then
    printf '%-22s %s\n' "carrier (sipp)" "running, pid $(<"$RUN/carrier.pid"), $HOST:$CARRIER_PORT"
  else
    printf '%-22s %s\n' "carrier (sipp)" "not running"; ok=1
  fi
  for f in "$RUN"/softphones/*.pid; do
    [[ -e $f ]] || continue
    user=$(basename "$f" .pid)
    if alive "$f" "-s $user "; then
      printf '%-22s %s\n' "softphone $user" "running, pid $(<"$f"), $HOST:$(cat "$RUN/softphones/$user.port" 2>/dev/null)"
    else
      printf '%-22s %s\n' "softphone $user" "dead (stale pid file)"
    fi
  done
  messaging_status
  printf '%-22s %s\n' "postgresql" "$(tcp_open $HOST 5432 && echo "answers on $HOST:5432$( [[ -f $RUN/started-postgres ]] && echo ' (started by the sandbox)')" || echo 'NOT answering')"
  printf '%-22s %s\n' "redis" "$(tcp_open $HOST 6379 && echo "answers on $HOST:6379$( [[ -f $RUN/redis.pid ]] && echo ' (started by the sandbox)')" || echo 'NOT answering')"
  if alive "$RUN/asterisk.pid" "$AST_CONF"; then
    echo
    ast_rx 'pjsip show contacts' 2>/dev/null | grep -E '^\s*Contact:|Objects found' || true
  fi
  return $ok
}

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  rx)
    [[ $# -eq 2 ]] || die "usage: sandbox.sh rx '<asterisk CLI command>'"
    ast_rx "$2"
    ;;
  softphone)
    need_root
    case ${2:-} in
      start)
        [[ $# -eq 6 ]] || die "usage: sandbox.sh softphone start <username> <password> <local-port> <answer|noanswer>"
        prepare_state
        softphone_start "$3" "$4" "$5" "$6"
        ;;
      stop)
        [[ $# -eq 3 ]] || die "usage: sandbox.sh softphone stop <username>"
        prepare_state
        softphone_stop "$3"
        ;;
      *) die "usage: sandbox.sh softphone start|stop ..." ;;
    esac
    ;;
  verify) exec bash "$ROOT/scripts/sandbox/verify.sh" ;;
  *) usage; exit 2 ;;
esac
