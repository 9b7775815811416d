/**
 * `RINGWISE_WEBRTC_*`: the console's browser phone. Read by config.ts (the only reader of the
 * environment), checked here; every problem is pushed to `problems`.
 */
export interface WebrtcConfig {
  /** The WebSocket URL browsers register to (wss://, or ws:// on 127.0.0.1); '' turns the browser phone off. */
  readonly wsUrl: string;
  /** STUN URLs handed to the browser's RTCPeerConnection (none on a LAN; TURN is not supported yet). */
  readonly iceServers: readonly string[];
  /** DTLS certificate and key as Asterisk sees them; both '' means Asterisk makes one at start. */
  readonly dtlsCertFile: string;
  readonly dtlsKeyFile: string;
}

/** `raw.wsUrl` was already checked as a ws:/wss: URL (or ''); `raw.iceServers` is the comma list. */
export function parseWebrtc(raw: { wsUrl: string; iceServers: string; dtlsCertFile: string; dtlsKeyFile: string }, problems: string[]): WebrtcConfig {
  const { wsUrl, dtlsCertFile, dtlsKeyFile } = raw;
  // A page served over https may only open wss://; ws:// is for a browser on the same machine.
  if (wsUrl.startsWith('ws:') && !/^ws:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(wsUrl))
    problems.push('RINGWISE_WEBRTC_WS_URL must be wss:// unless it points at 127.0.0.1 (browsers refuse ws:// from an https page)');
  const iceServers = raw.iceServers
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const u of iceServers) if (!/^stuns?:/.test(u)) problems.push(`RINGWISE_WEBRTC_ICE_SERVERS: ${u} is not a stun: URL`);
  if (!dtlsCertFile !== !dtlsKeyFile) problems.push('RINGWISE_WEBRTC_DTLS_CERT_FILE and RINGWISE_WEBRTC_DTLS_KEY_FILE go together');
  return { wsUrl, iceServers, dtlsCertFile, dtlsKeyFile };
}
