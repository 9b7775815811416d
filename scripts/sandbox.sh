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
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=$ROOT/.sandbox
RUN=$STATE/run
LOGS=$STATE/logs
AUDIO=$STATE/audio
CACHE=${RINGWISE_SANDBOX_CACHE:-/var/cache/ringwise}
CHROOT=$CACHE/asterisk-sid
CHROOT_STAMP=$CACHE/asterisk-sid.stamp
# Changing this list rebuilds the chroot (the stamp records what it was built with).
CHROOT_PACKAGES=asterisk,asterisk-modules,asterisk-core-sounds-en-gsm,asterisk-moh-opsound-gsm
AST_ETC=/etc/asterisk-ringwise
AST_CONF=$AST_ETC/asterisk.conf
PROMPTS_IN_CHROOT=/var/lib/ringwise/prompts
RECORDINGS_IN_CHROOT=/var/spool/asterisk/recording

HOST=127.0.0.1
ARI_PORT=8088
AMI_PORT=5038
SIP_PORT=5060
SIP_REALM=ringwise
CARRIER_PORT=5070
CARRIER_MEDIA_PORT=40000
RTP_START=10000
RTP_END=20000
ARI_USER=ringwise
AMI_USER=ringwise
DEMO_AGENTS=("agent-demo-1 5081 answer" "agent-demo-2 5082 noanswer")
# Every SIPp: control socket on loopback only (it binds 0.0.0.0:8888+ otherwise), and a watchdog
# that never ends a long-running process on a busy machine.
SIPP_COMMON=(-ci 127.0.0.1 -watchdog_major_maxtriggers 100000000 -watchdog_minor_maxtriggers 100000000)

log() { printf '[sandbox] %s\n' "$*" >&2; }
die() { printf '[sandbox] ERROR: %s\n' "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
udp_bound() { ss -Hlun "sport = :$1" 2>/dev/null | grep -q .; }

# A pid file's process is alive and is what we started (its command line holds $2).
alive() {
  local file=$1 pattern=$2 pid
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

# Stop a pid-file process: TERM, then KILL after $3 seconds.
stop_pidfile() {
  local file=$1 pattern=$2 grace=${3:-5} pid i
  if alive "$file" "$pattern"; then
    pid=$(<"$file")
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
  fi
  rm -f "$file"
}

need_root() { [[ $(id -u) -eq 0 ]] || die "run as root (chroot, apt and raw sockets for SIPp's RTP need it)"; }

# ------------------------------------------------------------------------------------------------
# Packages
# ------------------------------------------------------------------------------------------------
APT_UPDATED=
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then apt-get update -qq; APT_UPDATED=1; fi
  if ! apt-get install -y -qq -o Dpkg::Options::=--force-confold "${missing[@]}" >"$LOGS/apt.log" 2>&1; then
    [[ -n $APT_UPDATED ]] && { cat "$LOGS/apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
    apt-get update -qq
    APT_UPDATED=1
    apt-get install -y -qq -o Dpkg::Options::=--force-confold "${missing[@]}" >"$LOGS/apt.log" 2>&1 ||
      { cat "$LOGS/apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
  fi
}

ensure_tools() {
  apt_install mmdebstrap sip-tester sox espeak-ng curl iproute2 procps util-linux
  command -v node >/dev/null || die "node (20+) is required to build the carrier's audio"
}

# ------------------------------------------------------------------------------------------------
# PostgreSQL and Redis: reuse whatever answers; start (and remember) only what we must.
# ------------------------------------------------------------------------------------------------
wait_tcp() {
  local host=$1 port=$2 secs=$3 i
  for ((i = 0; i < secs * 10; i++)); do tcp_open "$host" "$port" && return 0; sleep 0.1; done
  return 1
}

ensure_postgres() {
  local ver hba
  if ! tcp_open $HOST 5432; then
    compgen -G '/etc/postgresql/*/main' >/dev/null || apt_install postgresql
    ver=$(ls /etc/postgresql | sort -V | tail -1)
    if ! tcp_open $HOST 5432; then
      log "starting PostgreSQL $ver/main"
      pg_ctlcluster --skip-systemctl-redirect "$ver" main start 8>&- 9>&-
      echo "$ver" >"$RUN/started-postgres"
    fi
    wait_tcp $HOST 5432 30 || die "PostgreSQL does not answer on $HOST:5432"
  fi
  command -v psql >/dev/null || apt_install postgresql-client
  if ! psql -h $HOST -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    # Trust the postgres user on loopback (a local cluster only; a foreign server is not ours).
    ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
    hba=/etc/postgresql/$ver/main/pg_hba.conf
    [[ -n $ver && -f $hba ]] || die "cannot log in to PostgreSQL as postgres on $HOST without a password"
    log "adding 'host all postgres 127.0.0.1/32 trust' to $hba"
    sed -i '1i host all postgres 127.0.0.1/32 trust  # ringwise sandbox' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main reload
    sleep 0.5
    psql -h $HOST -U postgres -d postgres -tAc 'select 1' >/dev/null || die "PostgreSQL still refuses postgres@$HOST"
  fi
  if [[ -z $(psql -h $HOST -U postgres -d postgres -tAc "select 1 from pg_database where datname = 'ringwise'") ]]; then
    log "creating database ringwise"
    psql -h $HOST -U postgres -d postgres -qc 'create database ringwise owner postgres' ||
      [[ -n $(psql -h $HOST -U postgres -d postgres -tAc "select 1 from pg_database where datname = 'ringwise'") ]]
  fi
}

ensure_redis() {
  tcp_open $HOST 6379 && return 0
  command -v redis-server >/dev/null || apt_install redis-server
  if ! wait_tcp $HOST 6379 1; then
    log "starting redis-server on $HOST:6379"
    redis-server --daemonize yes --bind $HOST --port 6379 --save "" --appendonly no \
      --pidfile "$RUN/redis.pid" --logfile "$LOGS/redis.log" 8>&- 9>&-
    wait_tcp $HOST 6379 10 || die "redis-server did not start (see $LOGS/redis.log)"
  fi
}

# ------------------------------------------------------------------------------------------------
# Asterisk 22 in a Debian sid chroot, built once into the cache.
# ------------------------------------------------------------------------------------------------
umount_under() {
  local dir=$1 m
  # Deepest first; a build interrupted mid-way can leave /proc, /sys or /dev mounted inside.
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r)
}

ensure_chroot() {
  if [[ -f $CHROOT_STAMP && $(<"$CHROOT_STAMP") == "$CHROOT_PACKAGES" && -x $CHROOT/usr/sbin/asterisk ]]; then
    return 0
  fi
  local t0 building=$CHROOT.building
  t0=$(now_ms)
  log "building the Asterisk chroot in $CHROOT (Debian sid: $CHROOT_PACKAGES)"
  stop_asterisk
  umount_under "$building"
  rm -rf --one-file-system "$building"
  mkdir -p "$CACHE"
  mmdebstrap --variant=apt --aptopt='Acquire::Check-Valid-Until "false"' \
    --include="$CHROOT_PACKAGES" sid "$building" >"$LOGS/mmdebstrap.log" 2>&1 ||
    { tail -20 "$LOGS/mmdebstrap.log" >&2; umount_under "$building"; die "mmdebstrap failed (full log: $LOGS/mmdebstrap.log)"; }
  umount_under "$building"
  rm -f "$CHROOT_STAMP"
  umount_under "$CHROOT"
  rm -rf --one-file-system "$CHROOT"
  mv "$building" "$CHROOT"
  echo "$CHROOT_PACKAGES" >"$CHROOT_STAMP"
  log "chroot ready in $(( ($(now_ms) - t0) / 1000 )) s: $(chroot "$CHROOT" /usr/sbin/asterisk -V)"
}

ast_rx() { chroot "$CHROOT" /usr/sbin/asterisk -C "$AST_CONF" -rx "$1"; }

load_secrets() {
  local f=$STATE/secrets.env
  if [[ ! -f $f ]]; then
    umask 077
    {
      echo "ARI_PASSWORD=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32)"
      echo "AMI_PASSWORD=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32)"
      echo "AGENT_DEMO_1_PASSWORD=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 20)"
      echo "AGENT_DEMO_2_PASSWORD=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 20)"
    } >"$f.tmp"
    mv "$f.tmp" "$f"
    umask 022
  fi
  # shellcheck disable=SC1090
  source "$f"
}

render_config() {
  export ASTERISK_ETC_DIR=$AST_ETC ASTERISK_MAX_CALLS=2000 ASTERISK_BIND_ADDR=$HOST
  export ASTERISK_HTTP_PORT=$ARI_PORT ARI_USER ARI_PASSWORD AMI_PORT AMI_USER AMI_PASSWORD
  export AMI_PERMIT=$HOST/255.255.255.255 RTP_START RTP_END SIP_REALM SIP_PORT
  export CARRIER_HOST=$HOST CARRIER_PORT CARRIER_MATCH=$HOST:$CARRIER_PORT
  bash "$ROOT/scripts/render-asterisk-config.sh" "$ROOT/asterisk-config" "$CHROOT$AST_ETC" \
    "$ROOT/asterisk-config/sandbox" >/dev/null
  mkdir -p "$CHROOT/var/run/asterisk" "$CHROOT/var/log/asterisk" "$CHROOT/var/lib/asterisk/keys" \
    "$CHROOT$RECORDINGS_IN_CHROOT" "$CHROOT$PROMPTS_IN_CHROOT"
  chmod 0755 "$CHROOT$PROMPTS_IN_CHROOT" "$CHROOT$RECORDINGS_IN_CHROOT"
  # Everything the sandbox's Asterisk talks to is an IP on loopback: no DNS. An empty resolv.conf
  # (mmdebstrap copied the host's) keeps pjproject from opening resolver sockets on 0.0.0.0 and
  # from ever sending a query off the machine.
  printf '# ringwise sandbox: no DNS inside the Asterisk chroot\n' >"$CHROOT/etc/resolv.conf.tmp"
  mv "$CHROOT/etc/resolv.conf.tmp" "$CHROOT/etc/resolv.conf"
  cat "$CHROOT$AST_ETC"/*.conf "$CHROOT/etc/resolv.conf" | sha256sum | cut -c1-16
}

# A sandbox brought up from another checkout of ringwise (a CI clone, a second work tree) holds
# the same ports with the same chroot and scenarios: stop it, so that `up` from any checkout
# works. Anything else on those ports is left alone and reported by the port checks below.
stop_foreign_sandbox() {
  local pid pids=() own i
  own=$(cat "$RUN/asterisk.pid" "$RUN/carrier.pid" "$RUN"/softphones/*.pid 2>/dev/null || true)
  while read -r pid; do
    [[ -n $pid ]] || continue
    grep -qxF "$pid" <<<"$own" && continue
    log "stopping pid $pid, started by another checkout's sandbox: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-90)"
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
  done < <({ pgrep -f -- "-C $AST_CONF" || true; pgrep -f -- 'sipp .*/test/sipp/[a-z-]+\.xml.*/\.sandbox/' || true; } | sort -u)
  for pid in "${pids[@]}"; do
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}

start_asterisk() {
  local confhash=$1 pid i
  if alive "$RUN/asterisk.pid" "$AST_CONF"; then
    if [[ $(cat "$RUN/asterisk.confhash" 2>/dev/null) == "$confhash" ]]; then return 0; fi
    log "Asterisk config changed: restarting Asterisk"
    stop_asterisk
  fi
  if tcp_open $HOST $ARI_PORT || tcp_open $HOST $AMI_PORT || udp_bound $SIP_PORT; then
    die "ports $ARI_PORT/$AMI_PORT/$SIP_PORT are taken by a process this sandbox did not start (ss -lntup)"
  fi
  rm -f "$CHROOT/var/run/asterisk/asterisk.ctl" "$CHROOT/var/run/asterisk/asterisk.pid"
  : >"$LOGS/asterisk.out"
  (
    ulimit -n 65536 2>/dev/null || true
    exec setsid chroot "$CHROOT" /usr/sbin/asterisk -f -C "$AST_CONF" </dev/null >>"$LOGS/asterisk.out" 2>&1 8>&- 9>&-
  ) &
  pid=$!
  echo "$pid" >"$RUN/asterisk.pid"
  for ((i = 0; i < 600; i++)); do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$LOGS/asterisk.out" >&2; die "Asterisk exited during start (logs: $LOGS/asterisk.out, $CHROOT/var/log/asterisk/messages.log)"; }
    if curl -sf -o /dev/null -u "$ARI_USER:$ARI_PASSWORD" "http://$HOST:$ARI_PORT/ari/asterisk/info"; then
      echo "$confhash" >"$RUN/asterisk.confhash"
      # PJSIP and the dialplan finish loading just after HTTP: wait for the carrier endpoint.
      for ((i = 0; i < 100; i++)); do
        ast_rx 'pjsip show endpoint carrier' 2>/dev/null | grep -q 'Endpoint:  carrier' && return 0
        sleep 0.1
      done
      die "Asterisk answers ARI but the carrier endpoint is missing (see $CHROOT/var/log/asterisk/messages.log)"
    fi
    sleep 0.1
  done
  die "ARI did not answer within 60 s"
}

stop_asterisk() {
  local pid i
  if alive "$RUN/asterisk.pid" "$AST_CONF"; then
    pid=$(<"$RUN/asterisk.pid")
    timeout 5 chroot "$CHROOT" /usr/sbin/asterisk -C "$AST_CONF" -rx 'core stop now' >/dev/null 2>&1 || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  stop_pidfile "$RUN/asterisk.pid" "$AST_CONF" 5
  rm -f "$RUN/asterisk.confhash"
}

# ------------------------------------------------------------------------------------------------
# The simulated carrier (SIPp UAS) and its audio
# ------------------------------------------------------------------------------------------------
# Bump AUDIO_RECIPE when the commands in make_audio change (the audio is then remade).
AUDIO_RECIPE="espeak-ng -s 160; sox gain -n -3; silence tail 60 s"
HELLO_TEXT='Hello?'
GREETING_TEXT='Hello, you have reached the voicemail of Li Wei. I am not available to take your call right now. Please leave your name, your number and a short message after the tone, and I will call you back as soon as I can. Thank you.'

make_audio() {
  mkdir -p "$AUDIO"
  local want
  want=$(printf "%s\n%s\n%s\n" "$AUDIO_RECIPE" "$HELLO_TEXT" "$GREETING_TEXT" | cat - "$ROOT/scripts/sandbox/make-rtp-pcap.mjs" | sha256sum | cut -c1-16)
  if [[ -f $AUDIO/hello.pcap && -f $AUDIO/greeting.pcap && $(cat "$AUDIO/stamp" 2>/dev/null) == "$want" ]]; then
    return 0
  fi
  log "making the carrier's audio (espeak-ng + sox)"
  local name text
  for name in hello greeting; do
    [[ $name == hello ]] && text=$HELLO_TEXT || text=$GREETING_TEXT
    espeak-ng -v en -s 160 -w "$AUDIO/$name.wav" "$text"
    sox "$AUDIO/$name.wav" -r 8000 -c 1 -t ul "$AUDIO/$name.ulaw" gain -n -3
    # 60 s of silence after the words (see make-rtp-pcap.mjs): AMD needs frames to hear silence.
    node "$ROOT/scripts/sandbox/make-rtp-pcap.mjs" "$AUDIO/$name.ulaw" "$AUDIO/$name.pcap" 60 >/dev/null
  done
  echo "$want" >"$AUDIO/stamp"
}

# Start SIPp in the background (-bg) from folder $1 and record its pid in file $2.
start_sipp() {
  local dir=$1 pidfile=$2 logfile=$3 out pid
  shift 3
  # sipp -bg prints the daemon's pid; its own exit status is not meaningful.
  out=$(cd "$dir" && sipp "$@" -bg -trace_err -error_file "$logfile" "${SIPP_COMMON[@]}" 2>&1 </dev/null 8>&- 9>&-) || true
  pid=$(grep -o 'PID=\[[0-9]*\]' <<<"$out" | grep -o '[0-9]\+' || true)
  [[ -n $pid ]] || { echo "$out" >&2; return 1; }
  echo "$pid" >"$pidfile"
  sleep 0.2
  kill -0 "$pid" 2>/dev/null || { echo "$out" >&2; cat "$logfile" >&2 2>/dev/null; return 1; }
}

start_carrier() {
  local hash
  make_audio
  local args=(-sf "$ROOT/test/sipp/carrier.xml" -i $HOST -p $CARRIER_PORT -mi $HOST -mp $CARRIER_MEDIA_PORT -aa)
  hash=$( { cat "$ROOT/test/sipp/carrier.xml" "$AUDIO/stamp"; echo "${args[*]} ${SIPP_COMMON[*]}"; } | sha256sum | cut -c1-16)
  if alive "$RUN/carrier.pid" "test/sipp/carrier.xml"; then
    [[ $(cat "$RUN/carrier.hash" 2>/dev/null) == "$hash" ]] && return 0
    log "carrier scenario changed: restarting the carrier"
    stop_pidfile "$RUN/carrier.pid" "test/sipp/carrier.xml"
    sleep 0.2
  fi
  udp_bound $CARRIER_PORT && die "UDP $HOST:$CARRIER_PORT is taken by a process this sandbox did not start"
  start_sipp "$AUDIO" "$RUN/carrier.pid" "$LOGS/carrier-errors.log" "${args[@]}" ||
    die "the SIPp carrier did not start"
  echo "$hash" >"$RUN/carrier.hash"
}

# ------------------------------------------------------------------------------------------------
# Agent softphones (SIPp UAC registering + out-of-call scenario answering)
# ------------------------------------------------------------------------------------------------
valid_username() { [[ $1 =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$ ]]; }

softphone_registered() { ast_rx "pjsip show contacts" 2>/dev/null | grep -qF "Contact:  $1/sip:"; }

softphone_start() {
  local user=$1 pass=$2 port=$3 mode=$4 conf mp i
  valid_username "$user" || die "bad username '$user' (letters, digits, . _ -)"
  [[ $port =~ ^[0-9]+$ && $port -ge 1024 && $port -le 65535 ]] || die "bad port '$port'"
  [[ $port -ne $SIP_PORT && $port -ne $CARRIER_PORT ]] || die "port $port is the sandbox's own"
  [[ $mode == answer || $mode == noanswer ]] || die "mode must be answer or noanswer"
  alive "$RUN/asterisk.pid" "$AST_CONF" || die "the sandbox is not up (bash scripts/sandbox.sh up)"
  mkdir -p "$RUN/softphones"
  conf="$port $mode $(printf '%s' "$pass" | sha256sum | cut -c1-16) ${SIPP_COMMON[*]}"
  if alive "$RUN/softphones/$user.pid" "-s $user "; then
    if [[ $(cat "$RUN/softphones/$user.conf" 2>/dev/null) == "$conf" ]]; then
      log "softphone $user already running (port $port, $mode)"
      return 0
    fi
    stop_pidfile "$RUN/softphones/$user.pid" "-s $user "
    sleep 0.2
  fi
  udp_bound "$port" && die "UDP $HOST:$port is already in use"
  # Media ports away from Asterisk's RTP range and from each other (SIPp also binds mp+2).
  mp=$((41000 + ((port - 1024) % 4900) * 4))
  start_sipp "$STATE" "$RUN/softphones/$user.pid" "$LOGS/softphone-$user-errors.log" \
    "$HOST:$SIP_PORT" -sf "$ROOT/test/sipp/agent-register.xml" -oocsf "$ROOT/test/sipp/agent-$mode.xml" \
    -s "$user" -au "$user" -ap "$pass" -i $HOST -p "$port" -mi $HOST -mp "$mp" -m 1 -l 1 ||
    die "softphone $user did not start"
  echo "$conf" >"$RUN/softphones/$user.conf"
  printf '%s\n' "$port" >"$RUN/softphones/$user.port"
  local deadline=$((SECONDS + 10))
  while ((SECONDS < deadline)); do
    if softphone_registered "$user"; then log "softphone $user registered from $HOST:$port ($mode)"; return 0; fi
    sleep 0.1
  done
  log "softphone $user started on $HOST:$port but is NOT registered after 10 s (is the endpoint provisioned? it keeps retrying every 2 s)"
  return 3
}

softphone_stop() {
  local user=$1 port pass
  valid_username "$user" || die "bad username '$user'"
  if alive "$RUN/softphones/$user.pid" "-s $user "; then
    pass=$(tr '\0' '\n' <"/proc/$(<"$RUN/softphones/$user.pid")/cmdline" | grep -A1 -x -- '-ap' | tail -1)
    stop_pidfile "$RUN/softphones/$user.pid" "-s $user " 3
    port=$(cat "$RUN/softphones/$user.port" 2>/dev/null || true)
    # Remove the registration now instead of letting it expire (Contact: *, Expires: 0).
    if [[ -n $port ]] && alive "$RUN/asterisk.pid" "$AST_CONF"; then
      (cd "$STATE" && timeout 10 sipp "$HOST:$SIP_PORT" -sf "$ROOT/test/sipp/agent-unregister.xml" \
        -s "$user" -au "$user" -ap "$pass" -i $HOST -p "$port" -m 1 -nostdin -ci $HOST \
        -trace_err -error_file "$LOGS/softphone-$user-errors.log" >/dev/null 2>&1 </dev/null) ||
        log "softphone $user stopped; unregistering failed (the contact expires within 120 s)"
    fi
    log "softphone $user stopped"
  else
    log "softphone $user is not running"
  fi
  rm -f "$RUN/softphones/$user.pid" "$RUN/softphones/$user.conf" "$RUN/softphones/$user.port"
}

# ------------------------------------------------------------------------------------------------
# Demo agents, provisioned like ringwise does: ARI dynamic configuration into astdb.
# ------------------------------------------------------------------------------------------------
ari_put_object() {
  local path=$1 body=$2 out
  out=$(curl -sS -w '\n%{http_code}' -u "$ARI_USER:$ARI_PASSWORD" -X PUT -H 'Content-Type: application/json' \
    --data "$body" "http://$HOST:$ARI_PORT/ari/asterisk/config/dynamic/res_pjsip/$path")
  [[ ${out##*$'\n'} == 200 ]] || die "ARI PUT res_pjsip/$path failed: ${out//$'\n'/ }"
}

fields() {
  local json='' sep=''
  while [[ $# -gt 0 ]]; do json+="$sep{\"attribute\":\"$1\",\"value\":\"$2\"}"; sep=,; shift 2; done
  printf '{"fields":[%s]}' "$json"
}

provision_agent() {
  local user=$1 pass=$2 md5
  md5=$(printf '%s' "$user:$SIP_REALM:$pass" | md5sum | cut -d' ' -f1)
  ari_put_object "auth/$user" "$(fields auth_type md5 username "$user" realm "$SIP_REALM" md5_cred "$md5")"
  ari_put_object "aor/$user" "$(fields max_contacts 1 remove_existing yes minimum_expiration 60 default_expiration 120 qualify_frequency 0)"
  ari_put_object "endpoint/$user" "$(fields transport transport-udp context ringwise-agents disallow all allow ulaw,alaw,gsm \
    direct_media no dtmf_mode rfc4733 rtp_symmetric yes force_rport yes rewrite_contact yes timers no \
    auth "$user" aors "$user")"
}

write_env() {
  local f=$STATE/env
  {
    echo "# Written by scripts/sandbox.sh up on $(date -u +%FT%TZ); do not edit."
    echo "DATABASE_URL=postgres://postgres@$HOST:5432/ringwise"
    echo "REDIS_URL=redis://$HOST:6379"
    echo "ARI_URL=http://$HOST:$ARI_PORT"
    echo "ARI_USER=$ARI_USER"
    echo "ARI_PASSWORD=$ARI_PASSWORD"
    echo "AMI_HOST=$HOST"
    echo "AMI_PORT=$AMI_PORT"
    echo "AMI_USER=$AMI_USER"
    echo "AMI_PASSWORD=$AMI_PASSWORD"
    echo "RINGWISE_DIAL_TEMPLATE=PJSIP/{number}@carrier"
    echo "RINGWISE_PROMPT_DIR=$CHROOT$PROMPTS_IN_CHROOT"
    echo "RINGWISE_PROMPT_DIR_ON_ASTERISK=$PROMPTS_IN_CHROOT"
    echo "RINGWISE_RECORDING_DIR=$CHROOT$RECORDINGS_IN_CHROOT"
    echo "RINGWISE_AMD_CONTEXT=ringwise-amd"
    echo "RINGWISE_AGENT_CONTEXT=ringwise-agents"
    echo "RINGWISE_SIP_REALM=$SIP_REALM"
    echo "SANDBOX_CHROOT=$CHROOT"
    echo "SANDBOX_ASTERISK_CONF=$AST_CONF"
    echo "SANDBOX_SCRIPT=$ROOT/scripts/sandbox.sh"
    echo "SANDBOX_SIP=$HOST:$SIP_PORT"
    echo "SANDBOX_CARRIER=$HOST:$CARRIER_PORT"
    echo "SANDBOX_SIM_PSTN_CONTEXT=sim-pstn"
    local i=1 entry user port mode pass_var
    for entry in "${DEMO_AGENTS[@]}"; do
      read -r user port mode <<<"$entry"
      pass_var=AGENT_DEMO_${i}_PASSWORD
      echo "AGENT_DEMO_${i}_USERNAME=$user"
      echo "AGENT_DEMO_${i}_PASSWORD=${!pass_var}"
      echo "AGENT_DEMO_${i}_PORT=$port"
      echo "AGENT_DEMO_${i}_MODE=$mode"
      i=$((i + 1))
    done
  } >"$f.tmp"
  chmod 0600 "$f.tmp"
  mv "$f.tmp" "$f"
}

# ------------------------------------------------------------------------------------------------
# Commands
# ------------------------------------------------------------------------------------------------
prepare_state() {
  mkdir -p "$STATE" "$RUN/softphones" "$LOGS" "$AUDIO"
  exec 9>"$STATE/lock"
  flock -w 600 9 || die "another sandbox.sh holds $STATE/lock"
  # One Asterisk chroot and one set of ports per machine, whichever checkout brings them up.
  mkdir -p "$CACHE"
  exec 8>"$CACHE/sandbox.lock"
  flock -w 600 8 || die "another checkout's sandbox.sh holds $CACHE/sandbox.lock"
}

cmd_up() {
  local t0 confhash i entry user port mode pass_var rc
  t0=$(now_ms)
  need_root
  prepare_state
  ensure_tools
  ensure_postgres
  ensure_redis
  ensure_chroot
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
  write_env
  log "up in $(( $(now_ms) - t0 )) ms: ARI http://$HOST:$ARI_PORT, AMI $HOST:$AMI_PORT, SIP $HOST:$SIP_PORT, carrier $HOST:$CARRIER_PORT; env in $STATE/env"
}

cmd_down() {
  need_root
  prepare_state
  local f user left ver
  for f in "$RUN"/softphones/*.pid; do
    [[ -e $f ]] || continue
    user=$(basename "$f" .pid)
    stop_pidfile "$f" "-s $user " 3
    rm -f "$RUN/softphones/$user.conf" "$RUN/softphones/$user.port"
  done
  stop_pidfile "$RUN/carrier.pid" "test/sipp/carrier.xml" 3
  rm -f "$RUN/carrier.hash"
  stop_asterisk
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
  log "down: no sandbox process left"
}

# Pids of processes this sandbox starts: Asterisk with our config, SIPp with our scenarios.
our_leftovers() {
  { pgrep -f -- "-C $AST_CONF" || true; pgrep -f -- "$ROOT/test/sipp/" || true; } | sort -u | tr '\n' ' ' | sed 's/ $//'
}

cmd_status() {
  local f user ok=0
  printf '%-22s %s\n' "chroot" "$( [[ -f $CHROOT_STAMP ]] && echo "$CHROOT ($(chroot "$CHROOT" /usr/sbin/asterisk -V 2>/dev/null))" || echo "not built")"
  if alive "$RUN/asterisk.pid" "$AST_CONF"; then
    printf '%-22s %s\n' "asterisk" "running, pid $(<"$RUN/asterisk.pid")"
  else
    printf '%-22s %s\n' "asterisk" "not running"; ok=1
  fi
  if [[ -f $STATE/secrets.env ]]; then
    # shellcheck disable=SC1091
    source "$STATE/secrets.env"
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
  printf '%-22s %s\n' "postgresql" "$(tcp_open $HOST 5432 && echo "answers on $HOST:5432$( [[ -f $RUN/started-postgres ]] && echo ' (started by the sandbox)')" || echo 'NOT answering')"
  printf '%-22s %s\n' "redis" "$(tcp_open $HOST 6379 && echo "answers on $HOST:6379$( [[ -f $RUN/redis.pid ]] && echo ' (started by the sandbox)')" || echo 'NOT answering')"
  if alive "$RUN/asterisk.pid" "$AST_CONF"; then
    echo
    ast_rx 'pjsip show contacts' 2>/dev/null | grep -E '^\s*Contact:|Objects found' || true
  fi
  return $ok
}

usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

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
