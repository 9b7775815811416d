/**
 * The SIP side of the browser phone, loaded only when an agent turns the phone on (JsSIP is
 * about 250 KB: it stays out of the console's first load). SIP over WebSocket to Asterisk;
 * media is the RTCPeerConnection JsSIP makes: DTLS-SRTP with ICE, as Asterisk's webrtc=yes asks.
 */
import { UA, WebSocketInterface } from 'jssip';
import type { EndEvent, PeerConnectionEvent, RTCSession } from 'jssip/lib/RTCSession';
import type { RTCSessionEvent } from 'jssip/lib/UA';

export interface PhoneCredentials {
  wsUrl: string;
  uri: string;
  username: string;
  password: string;
  realm: string;
  iceServers: string[];
}

export type PhoneEvent = { type: 'registered' | 'unregistered' | 'ringing' | 'in_call' | 'ended' } | { type: 'failed'; cause: string };

/** What the secure-media line shows: the DTLS transport's state and cipher, audio bytes received. */
export interface MediaStats {
  dtlsState: string;
  srtpCipher: string;
  bytesReceived: number;
}

export interface SipPhone {
  answer(): void;
  hangUp(): void;
  setMuted(muted: boolean): void;
  stats(): Promise<MediaStats | null>;
  stop(): void;
}

export function startSipPhone(c: PhoneCredentials, audio: HTMLAudioElement, on: (e: PhoneEvent) => void): SipPhone {
  const ua = new UA({
    sockets: [new WebSocketInterface(c.wsUrl)],
    uri: c.uri,
    authorization_user: c.username,
    password: c.password,
    realm: c.realm,
    register: true,
    register_expires: 120,
    session_timers: false,
    user_agent: 'ringwise-console',
  });
  const pcConfig: RTCConfiguration = { iceServers: c.iceServers.length ? [{ urls: c.iceServers }] : [] };
  let session: RTCSession | null = null;

  ua.on('registered', () => on({ type: 'registered' }));
  ua.on('unregistered', () => on({ type: 'unregistered' }));
  ua.on('registrationFailed', (e) => on({ type: 'failed', cause: String(e.cause ?? 'registration failed') }));
  ua.on('newRTCSession', ({ session: s, originator }: RTCSessionEvent) => {
    // An agent's phone only takes calls; a second one while busy is refused (486).
    if (originator !== 'remote') return s.terminate();
    if (session) return s.terminate({ status_code: 486 });
    session = s;
    const done = (type: 'ended' | 'failed', cause?: string) => {
      if (session !== s) return;
      session = null;
      audio.srcObject = null;
      on(type === 'failed' && cause && cause !== 'Canceled' ? { type: 'failed', cause } : { type: 'ended' });
    };
    s.on('peerconnection', ({ peerconnection }: PeerConnectionEvent) => {
      peerconnection.addEventListener('track', (e: RTCTrackEvent) => {
        audio.srcObject = e.streams[0] ?? new MediaStream([e.track]);
        void audio.play().catch(() => undefined);
      });
    });
    s.on('confirmed', () => on({ type: 'in_call' }));
    s.on('ended', () => done('ended'));
    s.on('failed', (e: EndEvent) => done('failed', String(e.cause)));
    on({ type: 'ringing' });
  });
  ua.start();

  return {
    answer: () => session?.answer({ mediaConstraints: { audio: true, video: false }, pcConfig }),
    hangUp: () => session?.terminate(),
    setMuted: (muted) => (muted ? session?.mute({ audio: true }) : session?.unmute({ audio: true })),
    async stats() {
      const pc = session?.connection;
      if (!pc) return null;
      const out: MediaStats = { dtlsState: 'new', srtpCipher: '', bytesReceived: 0 };
      (await pc.getStats()).forEach((r: { type: string; dtlsState?: string; srtpCipher?: string; kind?: string; bytesReceived?: number }) => {
        if (r.type === 'transport') {
          out.dtlsState = r.dtlsState ?? out.dtlsState;
          out.srtpCipher = r.srtpCipher ?? out.srtpCipher;
        }
        if (r.type === 'inbound-rtp' && r.kind === 'audio') out.bytesReceived += r.bytesReceived ?? 0;
      });
      return out;
    },
    stop() {
      session?.terminate();
      ua.stop();
    },
  };
}
