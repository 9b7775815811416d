#!/usr/bin/env bash
# Renders ringwise's Asterisk config from the environment (secrets never baked into the image)
# and runs Asterisk in the foreground as the asterisk user.
set -euo pipefail
# SIP over TLS (agents): without a certificate in place, make a self-signed one once. Softphones
# must then be told to trust exactly this certificate; one from a CA they trust replaces it.
: "${SIP_TLS_CERT_FILE:?set SIP_TLS_CERT_FILE}" "${SIP_TLS_KEY_FILE:?set SIP_TLS_KEY_FILE}"
if [[ ! -s $SIP_TLS_CERT_FILE || ! -s $SIP_TLS_KEY_FILE ]]; then
  name=${SIP_TLS_NAME:-$(hostname -f 2>/dev/null || hostname)}
  san=DNS:$name
  [[ $name =~ ^[0-9.]+$ ]] && san=IP:$name
  mkdir -p "$(dirname "$SIP_TLS_CERT_FILE")" "$(dirname "$SIP_TLS_KEY_FILE")"
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
    -subj "/O=ringwise/CN=$name" -addext "subjectAltName=$san" -addext extendedKeyUsage=serverAuth \
    -keyout "$SIP_TLS_KEY_FILE" -out "$SIP_TLS_CERT_FILE" 2>/dev/null)
  chmod 0644 "$SIP_TLS_CERT_FILE"
  echo "entrypoint: made a self-signed SIP TLS certificate for $name ($(openssl x509 -in "$SIP_TLS_CERT_FILE" -noout -fingerprint -sha256)); replace it with one your softphones trust" >&2
fi
# Asterisk runs as asterisk: the key must be readable by it and by no one else.
chown asterisk:asterisk "$SIP_TLS_KEY_FILE" && chmod 0600 "$SIP_TLS_KEY_FILE" ||
  echo "entrypoint: could not give $SIP_TLS_KEY_FILE to the asterisk user (read-only mount?): it must be readable by uid $(id -u asterisk)" >&2
/opt/ringwise/render-asterisk-config.sh /opt/ringwise/asterisk-config "$ASTERISK_ETC_DIR"
chown -R asterisk:asterisk "$ASTERISK_ETC_DIR"
exec asterisk -C "$ASTERISK_ETC_DIR/asterisk.conf" -f -U asterisk -G asterisk
