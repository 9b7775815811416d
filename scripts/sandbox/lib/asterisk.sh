#!/usr/bin/env bash
# Sourced by scripts/sandbox.sh (not run on its own): Asterisk 22 in a Debian sid chroot, built once into the cache; one instance per slot.
# shellcheck shell=bash disable=SC2154

umount_under() {
  local dir=$1 m
  # Deepest first; a build interrupted mid-way can leave /proc, /sys or /dev mounted inside.
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r)
}

ensure_chroot() {
  exec 7>"$CACHE/chroot.lock"
  flock -w 900 7 || die "another sandbox holds $CACHE/chroot.lock (building the chroot?)"
  ensure_chroot_locked
  exec 7>&-
}

ensure_chroot_locked() {
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
  # Descriptors inherited from the caller (a CI runner, a terminal multiplexer) push the one
  # mmdebstrap hands apt above 9, and apt's `cat >&11` hook then fails under dash ("Bad fd
  # number"). mmdebstrap runs with only stdin/stdout/stderr open.
  (close_inherited_fds && exec mmdebstrap --variant=apt --aptopt='Acquire::Check-Valid-Until "false"' \
    --include="$CHROOT_PACKAGES" sid "$building") >"$LOGS/mmdebstrap.log" 2>&1 ||
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
  # One set per slot: a second server shares the first's ARI/AMI credentials.
  local f=$SLOT_STATE/secrets.env
  mkdir -p "$SLOT_STATE"
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

# The slot's TLS pair for SIP over TLS (agents): a self-signed CA, made once per slot, and a server
# certificate it signs for 127.0.0.1. Softphones in tests trust the CA (SANDBOX_SIP_TLS_CA).
ensure_tls_cert() {
  local dir=$SLOT_STATE/tls
  # Made again when missing or within a month of expiring (825 days).
  if [[ ! -s $dir/server.crt || ! -s $dir/server.key || ! -s $dir/ca.crt ]] ||
    ! openssl x509 -checkend 2592000 -noout -in "$dir/server.crt" >/dev/null 2>&1; then
    log "making the slot's TLS CA and server certificate (openssl, $dir)"
    rm -rf "$dir.tmp"
    mkdir -p "$dir.tmp"
    (
      umask 077
      cd "$dir.tmp"
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt \
        -days 3650 -subj "/O=ringwise sandbox/CN=ringwise sandbox CA (slot $SLOT)" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
      openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr \
        -subj "/O=ringwise sandbox/CN=$HOST"
      printf 'subjectAltName=IP:%s,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' "$HOST" >server.ext
      openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -extfile server.ext -out server.crt
      rm -f server.csr server.ext ca.srl
      chmod 0644 ca.crt server.crt
    ) >"$LOGS/openssl.log" 2>&1 || { cat "$LOGS/openssl.log" >&2; die "openssl could not make the sandbox's TLS certificate"; }
    rm -rf "$dir"
    mv "$dir.tmp" "$dir"
  fi
  # Asterisk reads them inside the chroot.
  mkdir -p "$CHROOT$AST_ETC/tls"
  chmod 0750 "$CHROOT$AST_ETC/tls"
  install -m 0644 "$dir/server.crt" "$CHROOT$AST_ETC/tls/server.crt"
  install -m 0600 "$dir/server.key" "$CHROOT$AST_ETC/tls/server.key"
}

render_config() {
  ensure_tls_cert
  export SIP_TLS_PORT SIP_TLS_CERT_FILE=$AST_ETC/tls/server.crt SIP_TLS_KEY_FILE=$AST_ETC/tls/server.key
  export ASTERISK_ETC_DIR=$AST_ETC ASTERISK_MAX_CALLS=2000 ASTERISK_BIND_ADDR=$HOST SIP_BIND_ADDR=$HOST
  export ASTERISK_HTTP_PORT=$ARI_PORT ARI_USER ARI_PASSWORD AMI_PORT AMI_USER AMI_PASSWORD
  export AMI_PERMIT=$HOST/255.255.255.255 RTP_START RTP_END SIP_REALM SIP_PORT
  export CARRIER_HOST=$HOST CARRIER_PORT CARRIER_MATCH=$HOST:$CARRIER_PORT
  bash "$ROOT/scripts/render-asterisk-config.sh" "$ROOT/asterisk-config" "$CHROOT$AST_ETC" \
    "$ROOT/asterisk-config/sandbox" >/dev/null
  if [[ -n $SFX ]]; then
    # The shared template names the default folders; a slot's (or second server's) Asterisk keeps its own astdb
    # (provisioned agents), spool (recordings), control socket and logs.
    sed -i -e "s#=> /var/lib/asterisk\$#=> $AST_VAR#" -e "s#=> /var/spool/asterisk\$#=> $AST_SPOOL#" \
      -e "s#=> /var/run/asterisk\$#=> $AST_RUN#" -e "s#=> /var/log/asterisk\$#=> $AST_LOG#" "$CHROOT$AST_CONF"
  fi
  write_peers "$CHROOT$AST_ETC/pjsip-peers.conf"
  mkdir -p "$CHROOT$AST_RUN" "$CHROOT$AST_LOG" "$CHROOT$AST_VAR/keys" \
    "$CHROOT$RECORDINGS_IN_CHROOT" "$CHROOT$PROMPTS_IN_CHROOT"
  chmod 0755 "$CHROOT$PROMPTS_IN_CHROOT" "$CHROOT$RECORDINGS_IN_CHROOT"
  # Everything the sandbox's Asterisk talks to is an IP on loopback: no DNS. An empty resolv.conf
  # (mmdebstrap copied the host's) keeps pjproject from opening resolver sockets on 0.0.0.0 and
  # from ever sending a query off the machine.
  printf '# ringwise sandbox: no DNS inside the Asterisk chroot\n' >"$CHROOT/etc/resolv.conf.tmp"
  mv "$CHROOT/etc/resolv.conf.tmp" "$CHROOT/etc/resolv.conf"
  cat "$CHROOT$AST_ETC"/*.conf "$CHROOT/etc/resolv.conf" "$CHROOT$AST_ETC/tls/server.crt" | sha256sum | cut -c1-16
}

# With two servers, each has a PJSIP trunk to the other (ringwise-peer-<name>, matched by its SIP
# address, into ringwise-from-peer): agent legs reach agents registered on the other server.
write_peers() {
  local file=$1 other
  if [[ $SERVERS != 2 ]]; then
    printf '; one server: no peers\n' >"$file"
    return 0
  fi
  other=$((3 - SERVER_NO))
  local port=$((5060 + SLOT_OFFSET + (other - 1) * 500)) name=asterisk-$other
  cat >"$file" <<PEERS
; Written by scripts/sandbox.sh: the trunk to this slot's other Asterisk server.
[ringwise-peer-$name]
type = endpoint
transport = transport-udp
context = ringwise-from-peer
disallow = all
allow = ulaw,alaw,gsm
direct_media = no
dtmf_mode = rfc4733
rtp_symmetric = yes
timers = no
send_pai = yes
trust_id_outbound = yes
aors = ringwise-peer-$name

[ringwise-peer-$name]
type = aor
contact = sip:$HOST:$port
qualify_frequency = 0

[ringwise-peer-$name]
type = identify
endpoint = ringwise-peer-$name
match = $HOST:$port
PEERS
  chmod 0640 "$file"
}

# A sandbox brought up from another checkout of ringwise (a CI clone, a second work tree) holds
# the same ports with the same chroot and scenarios: stop it, so that `up` from any checkout
# works. Anything else on those ports is left alone and reported by the port checks below.
stop_foreign_sandbox() {
  local pid pids=() own i
  own=$(cat "$RUN/asterisk.pid" "$RUN/carrier.pid" "$RUN"/softphones/*.pid "$RUN/smpp.pid" "$RUN/smtp.pid" 2>/dev/null || true)
  while read -r pid; do
    [[ -n $pid ]] || continue
    grep -qxF "$pid" <<<"$own" && continue
    log "stopping pid $pid, started by another checkout's sandbox: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-90)"
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
  done < <({
    pgrep -f -- "-C $AST_CONF" || true
    pgrep -f -- "sipp .*/test/sipp/[a-z-]+\\.xml.*/\\.sandbox$SFX/" || true
    # The slot's SMPP and SMTP servers (scripts/sandbox/lib/messaging.sh), by script and port.
    pgrep -f -- "scripts/sandbox/smpp-server\\.mjs --port $SMPP_PORT " || true
    pgrep -f -- "scripts/sandbox/smtp-server\\.mjs --port $SMTP_PORT " || true
  } | sort -u)
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
  if tcp_open $HOST $ARI_PORT || tcp_open $HOST $AMI_PORT || udp_bound $SIP_PORT || tcp_open $HOST $SIP_TLS_PORT; then
    die "ports $ARI_PORT/$AMI_PORT/$SIP_PORT/$SIP_TLS_PORT are taken by a process this sandbox did not start (ss -lntup)"
  fi
  rm -f "$CHROOT$AST_RUN/asterisk.ctl" "$CHROOT$AST_RUN/asterisk.pid"
  : >"$LOGS/asterisk.out"
  (
    ulimit -n 65536 2>/dev/null || true
    exec setsid chroot "$CHROOT" /usr/sbin/asterisk -f -C "$AST_CONF" </dev/null >>"$LOGS/asterisk.out" 2>&1 8>&- 9>&-
  ) &
  pid=$!
  echo "$pid" >"$RUN/asterisk.pid"
  for ((i = 0; i < 600; i++)); do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$LOGS/asterisk.out" >&2; die "Asterisk exited during start (logs: $LOGS/asterisk.out, $CHROOT$AST_LOG/messages.log)"; }
    if curl -sf -o /dev/null -u "$ARI_USER:$ARI_PASSWORD" "http://$HOST:$ARI_PORT/ari/asterisk/info"; then
      echo "$confhash" >"$RUN/asterisk.confhash"
      # PJSIP and the dialplan finish loading just after HTTP: wait for the carrier endpoint.
      for ((i = 0; i < 100; i++)); do
        ast_rx 'pjsip show endpoint carrier' 2>/dev/null | grep -q 'Endpoint:  carrier' && return 0
        sleep 0.1
      done
      die "Asterisk answers ARI but the carrier endpoint is missing (see $CHROOT$AST_LOG/messages.log)"
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

