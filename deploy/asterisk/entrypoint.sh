#!/usr/bin/env bash
# Renders ringwise's Asterisk config from the environment (secrets never baked into the image)
# and runs Asterisk in the foreground as the asterisk user.
set -euo pipefail
/opt/ringwise/render-asterisk-config.sh /opt/ringwise/asterisk-config "$ASTERISK_ETC_DIR"
chown -R asterisk:asterisk "$ASTERISK_ETC_DIR"
exec asterisk -C "$ASTERISK_ETC_DIR/asterisk.conf" -f -U asterisk -G asterisk
