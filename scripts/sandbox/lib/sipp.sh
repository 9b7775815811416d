#!/usr/bin/env bash
# Sourced by scripts/sandbox.sh (not run on its own): the simulated carrier (SIPp UAS) and its audio; agent softphones (SIPp UAC).
# shellcheck shell=bash disable=SC2154

# Bump AUDIO_RECIPE when the commands in make_audio change (the audio is then remade).
AUDIO_RECIPE="espeak-ng -s 160; sox gain -n -3; greeting: 0.4 s gap + 0.5 s 1 kHz beep; silence tail 60 s"
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
    if [[ $name == greeting ]]; then
      # "...after the tone": the beep a voicemail message must wait for (raw u-law concatenates).
      sox -n -r 8000 -c 1 -t ul "$AUDIO/gap.ulaw" trim 0 0.4
      sox -n -r 8000 -c 1 -t ul "$AUDIO/beep.ulaw" synth 0.5 sine 1000 gain -6
      cat "$AUDIO/gap.ulaw" "$AUDIO/beep.ulaw" >>"$AUDIO/$name.ulaw"
    fi
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
  out=$(cd "$dir" && sipp "$@" -bg -error_file "$logfile" "${SIPP_COMMON[@]}" 2>&1 </dev/null 8>&- 9>&-) || true
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
        -error_file "$LOGS/softphone-$user-errors.log" >/dev/null 2>&1 </dev/null) ||
        log "softphone $user stopped; unregistering failed (the contact expires within 120 s)"
    fi
    log "softphone $user stopped"
  else
    log "softphone $user is not running"
  fi
  rm -f "$RUN/softphones/$user.pid" "$RUN/softphones/$user.conf" "$RUN/softphones/$user.port"
}

