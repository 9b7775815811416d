#!/usr/bin/env bash
# Sourced by scripts/sandbox.sh (not run on its own): demo agents (ARI dynamic configuration into astdb) and the env file tests read.
# shellcheck shell=bash disable=SC2154

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
    # Browser softphones register over Asterisk's HTTP server (127.0.0.1 is a secure context: ws is enough).
    echo "RINGWISE_WEBRTC_WS_URL=ws://$HOST:$ARI_PORT/ws"
    echo "RINGWISE_SANDBOX_SLOT=$SLOT"
    echo "SANDBOX_PORT_OFFSET=$PORT_OFFSET"
    echo "SANDBOX_CHROOT=$CHROOT"
    echo "SANDBOX_ASTERISK_LOG_DIR=$CHROOT$AST_LOG"
    echo "SANDBOX_ASTERISK_PID_FILE=$RUN/asterisk.pid"
    echo "SANDBOX_ASTERISK_CONF=$AST_CONF"
    echo "SANDBOX_SCRIPT=$ROOT/scripts/sandbox.sh"
    echo "SANDBOX_SIP=$HOST:$SIP_PORT"
    echo "SANDBOX_SIP_TLS=$HOST:$SIP_TLS_PORT"
    echo "SANDBOX_SIP_TLS_CA=$SLOT_STATE/tls/ca.crt"
    echo "SANDBOX_CARRIER=$HOST:$CARRIER_PORT"
    echo "SANDBOX_SIM_PSTN_CONTEXT=sim-pstn"
    messaging_env
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
    echo "SANDBOX_SERVERS=$SERVERS"
    echo "ASTERISK_1_NAME=asterisk-1"
    if [[ $SERVERS == 2 ]]; then
      # The second server (same credentials): tests and the stack build RINGWISE_ASTERISK_SERVERS from these.
      echo "ASTERISK_2_NAME=asterisk-2"
      echo "ASTERISK_2_ARI_URL=http://$HOST:$((ARI_PORT + 500))"
      echo "ASTERISK_2_AMI_PORT=$((AMI_PORT + 500))"
      echo "ASTERISK_2_SIP=$HOST:$((SIP_PORT + 500))"
      echo "ASTERISK_2_SIP_TLS=$HOST:$((SIP_TLS_PORT + 500))"
      echo "ASTERISK_2_CONF=/etc/asterisk-ringwise$SLOT_SFX-2/asterisk.conf"
      echo "ASTERISK_2_PID_FILE=$ROOT/.sandbox$SLOT_SFX-2/run/asterisk.pid"
      echo "ASTERISK_2_LOG_DIR=$CHROOT/var/log/asterisk$SLOT_SFX-2"
      echo "ASTERISK_2_CARRIER=$HOST:$((CARRIER_PORT + 500))"
    fi
  } >"$f.tmp"
  chmod 0600 "$f.tmp"
  mv "$f.tmp" "$f"
}

