#!/usr/bin/env bash
# Check the running sandbox end to end by hand: curl, AMI over /dev/tcp, `asterisk -rx`, and one
# real call per carrier number through ARI (scripts/sandbox/ari-probe.mjs). About 20 s.
#   bash scripts/sandbox.sh verify      (after `bash scripts/sandbox.sh up`)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[[ -f $ROOT/.sandbox/env ]] || { echo "no .sandbox/env: run bash scripts/sandbox.sh up" >&2; exit 1; }
# shellcheck disable=SC1091
source "$ROOT/.sandbox/env"
SANDBOX=(bash "$ROOT/scripts/sandbox.sh")
PROBE=(node --experimental-websocket --no-warnings "$ROOT/scripts/sandbox/ari-probe.mjs")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0

pass() { printf 'ok    %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; failures=$((failures + 1)); }
check() { # check <description> <file> <extended regex expected in it>
  if grep -qE -- "$3" "$2"; then pass "$1"; else fail "$1"; sed 's/^/      /' "$2"; fi
}

# --- ARI and AMI with the rendered credentials -------------------------------------------------
code=$(curl -s -o "$TMP/info.json" -w '%{http_code}' -u "$ARI_USER:$ARI_PASSWORD" "$ARI_URL/ari/asterisk/info")
[[ $code == 200 ]] && grep -q '"version":"22' "$TMP/info.json" && pass "ARI answers with the sandbox credentials (Asterisk 22)" || fail "ARI info: HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -u "$ARI_USER:wrong" "$ARI_URL/ari/asterisk/info")
[[ $code == 401 ]] && pass "ARI refuses a wrong password (401)" || fail "ARI with a wrong password: HTTP $code"

ami_login() {
  local line out=''
  exec 3<>"/dev/tcp/$AMI_HOST/$AMI_PORT" || return 1
  printf 'Action: Login\r\nUsername: %s\r\nSecret: %s\r\n\r\n' "$AMI_USER" "$1" >&3
  for _ in 1 2 3 4; do IFS= read -r -t 3 line <&3 && out+="$line"$'\n'; done
  # Asterisk closes the socket after a failed login: a Logoff then dies of SIGPIPE in its subshell.
  (printf 'Action: Logoff\r\n\r\n' >&3) 2>/dev/null
  exec 3>&-
  printf '%s' "$out"
}
ami_login "$AMI_PASSWORD" | grep -q 'Authentication accepted' && pass "AMI accepts the sandbox credentials" || fail "AMI login"
ami_login wrong | grep -q 'Authentication failed' && pass "AMI refuses a wrong secret" || fail "AMI wrong secret not refused"

# --- SIP over TLS: the slot's CA verifies Asterisk's certificate; TLS 1.1 is refused -------------
if [[ -n ${SANDBOX_SIP_TLS:-} ]]; then
  echo | timeout 5 openssl s_client -connect "$SANDBOX_SIP_TLS" -CAfile "$SANDBOX_SIP_TLS_CA" -verify_return_error -verify_ip "${SANDBOX_SIP_TLS%:*}" >"$TMP/tls.txt" 2>&1
  check "SIP-TLS on $SANDBOX_SIP_TLS: certificate verified by the slot's CA" "$TMP/tls.txt" 'Verify return code: 0 \(ok\)'
  echo | timeout 5 openssl s_client -connect "$SANDBOX_SIP_TLS" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' >"$TMP/tls11.txt" 2>&1
  check "SIP-TLS refuses TLS 1.1" "$TMP/tls11.txt" 'alert protocol version|no protocols available'
fi

# --- Demo agents registered ---------------------------------------------------------------------
"${SANDBOX[@]}" rx 'pjsip show contacts' >"$TMP/contacts.txt" 2>&1
check "agent $AGENT_DEMO_1_USERNAME registered" "$TMP/contacts.txt" "Contact: +$AGENT_DEMO_1_USERNAME/sip:"
check "agent $AGENT_DEMO_2_USERNAME registered" "$TMP/contacts.txt" "Contact: +$AGENT_DEMO_2_USERNAME/sip:"

# --- One call per case, in parallel --------------------------------------------------------------
probe() { local name=$1; shift; "${PROBE[@]}" "$@" >"$TMP/$name.jsonl" 2>&1 & }
probe dtmf1 "PJSIP/+8613800000011@carrier" --hangup-ms 4000
probe dtmf9 "PJSIP/+8613800000019@carrier" --hangup-ms 4000
probe busy "PJSIP/+8613800000020@carrier"
probe noanswer "PJSIP/+8613800000030@carrier" --timeout 15
probe reject "PJSIP/+8613800000040@carrier"
probe congestion "PJSIP/+8613800000050@carrier"
probe hangsup "PJSIP/+8613800000070@carrier"
probe notfound "PJSIP/+8613800000080@carrier"
probe amd_machine "PJSIP/+8613800000060@carrier" --amd --hangup-ms 200
probe amd_human "PJSIP/+8613800000000@carrier" --amd --hangup-ms 200
probe agent_answer "PJSIP/$AGENT_DEMO_1_USERNAME" --hangup-ms 1000
probe agent_noanswer "PJSIP/$AGENT_DEMO_2_USERNAME" --timeout 15
probe sim_dtmf "Local/+8613800000012@$SANDBOX_SIM_PSTN_CONTEXT" --hangup-ms 4000
probe sim_busy "Local/+8613800000020@$SANDBOX_SIM_PSTN_CONTEXT"
probe sim_machine "Local/+8613800000060@$SANDBOX_SIM_PSTN_CONTEXT" --amd --hangup-ms 200
wait

check "trunk 11: StasisStart on answer" "$TMP/dtmf1.jsonl" '"type":"StasisStart"'
check "trunk 11: ChannelDtmfReceived digit 1" "$TMP/dtmf1.jsonl" '"type":"ChannelDtmfReceived".*"digit":"1"'
check "trunk 19: ChannelDtmfReceived digit 9" "$TMP/dtmf9.jsonl" '"digit":"9"'
check "trunk 20: busy, cause 17 (SIP 486)" "$TMP/busy.jsonl" '"ChannelDestroyed".*"cause":17,.*"tech_cause":486'
check "trunk 30: no answer in 15 s, cause 19 (480)" "$TMP/noanswer.jsonl" '"ChannelDestroyed".*"cause":19,.*"tech_cause":480'
check "trunk 40: rejected, cause 21 (603)" "$TMP/reject.jsonl" '"ChannelDestroyed".*"cause":21,.*"tech_cause":603'
check "trunk 50: congestion, cause 34 (503)" "$TMP/congestion.jsonl" '"ChannelDestroyed".*"cause":34,.*"tech_cause":503'
check "trunk 70: answered, then the callee hangs up (cause 16)" "$TMP/hangsup.jsonl" '"ChannelHangupRequest","state":"Up","cause":16'
check "trunk 80: not found, cause 1 (404)" "$TMP/notfound.jsonl" '"ChannelDestroyed".*"cause":1,.*"tech_cause":404'
check "trunk 60 via ringwise-amd: MACHINE" "$TMP/amd_machine.jsonl" '"args":\["amd","MACHINE"'
check "trunk 00 via ringwise-amd: HUMAN" "$TMP/amd_human.jsonl" '"args":\["amd","HUMAN"'
check "agent $AGENT_DEMO_1_USERNAME answers" "$TMP/agent_answer.jsonl" '"type":"StasisStart"'
check "agent $AGENT_DEMO_2_USERNAME never answers (cause 19)" "$TMP/agent_noanswer.jsonl" '"ChannelDestroyed".*"cause":19'
check "sim-pstn 12: DTMF 2" "$TMP/sim_dtmf.jsonl" '"digit":"2"'
check "sim-pstn 20: busy, cause 17" "$TMP/sim_busy.jsonl" '"ChannelDestroyed".*"cause":17'
check "sim-pstn 60 via ringwise-amd: MACHINE" "$TMP/sim_machine.jsonl" '"args":\["amd","MACHINE"'

# --- Runtime provisioning through ARI dynamic config + a softphone for it ------------------------
user=verify-agent-$$
pass=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 16)
md5=$(printf '%s' "$user:$RINGWISE_SIP_REALM:$pass" | md5sum | cut -d' ' -f1)
put() {
  curl -s -o /dev/null -w '%{http_code}' -u "$ARI_USER:$ARI_PASSWORD" -X PUT -H 'Content-Type: application/json' \
    --data "$2" "$ARI_URL/ari/asterisk/config/dynamic/res_pjsip/$1"
}
f() { printf '{"attribute":"%s","value":"%s"}' "$1" "$2"; }
codes="$(put "auth/$user" "{\"fields\":[$(f auth_type md5),$(f username "$user"),$(f realm "$RINGWISE_SIP_REALM"),$(f md5_cred "$md5")]}")"
codes+=" $(put "aor/$user" "{\"fields\":[$(f max_contacts 1),$(f remove_existing yes)]}")"
codes+=" $(put "endpoint/$user" "{\"fields\":[$(f context "$RINGWISE_AGENT_CONTEXT"),$(f disallow all),$(f allow ulaw),$(f direct_media no),$(f auth "$user"),$(f aors "$user")]}")"
[[ $codes == "200 200 200" ]] && pass "ARI dynamic config creates auth (md5_cred), aor and endpoint" || fail "ARI dynamic config PUTs: $codes"
if "${SANDBOX[@]}" softphone start "$user" "$pass" 5099 answer >/dev/null 2>&1; then
  pass "a softphone registers to the runtime-created endpoint with digest auth"
else
  fail "softphone start $user"
fi
"${SANDBOX[@]}" softphone stop "$user" >/dev/null 2>&1
if "${SANDBOX[@]}" rx 'pjsip show contacts' | grep -qF "$user/"; then fail "contact of $user still present after softphone stop"; else pass "softphone stop unregisters"; fi
for t in endpoint aor auth; do
  curl -s -o /dev/null -u "$ARI_USER:$ARI_PASSWORD" -X DELETE "$ARI_URL/ari/asterisk/config/dynamic/res_pjsip/$t/$user"
done

echo
if [[ $failures -eq 0 ]]; then echo "sandbox verify: all checks passed"; else echo "sandbox verify: $failures check(s) failed"; fi
[[ $failures -eq 0 ]]
