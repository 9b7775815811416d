import { createHash, randomBytes } from 'node:crypto';
import type { WebrtcConfig } from '../config.webrtc.js';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { Queryable } from '../store/db.js';
import { listProvisioned, type ProvisionRow, type SipTransport, type Softphone } from './agents.repo.js';

/** The part of the ARI client provisioning needs (dynamic configuration into astdb). */
export interface SipConfigPort {
  pushConfig(configClass: string, objectType: string, id: string, fields: Record<string, string>): Promise<unknown>;
  deleteConfig(configClass: string, objectType: string, id: string): Promise<void>;
}

export class AsteriskUnavailableError extends AppError {
  constructor(message: string) {
    super('asterisk_unavailable', message, 503);
    this.name = 'AsteriskUnavailableError';
  }
}

/** What PJSIP's md5_cred takes: the password itself never leaves the request that made it. */
export function sipMd5(user: string, realm: string, password: string): string {
  return createHash('md5').update(`${user}:${realm}:${password}`).digest('hex');
}

export function generateSipPassword(): string {
  return randomBytes(18).toString('base64url');
}

export function generateSipUsername(): string {
  return `agent-${randomBytes(5).toString('hex')}`;
}

/** What provisioning needs of an agent; without `sipTransport` a SIP phone is a plain UDP one, without `softphone` a SIP phone. */
export type ProvisionInput = Omit<ProvisionRow, 'sipTransport' | 'softphone'> & { sipTransport?: SipTransport; softphone?: Softphone };

/**
 * What the endpoint's transport means in PJSIP: `tls` is `[agent-endpoint-tls]` of
 * asterisk-config/pjsip-tls.conf (signalling over transport-tls, SRTP with SDES keys and no
 * fallback to plain RTP, so an offer or answer without SRTP is refused with 488).
 */
export function transportFields(t: SipTransport): Record<string, string> {
  return t === 'tls'
    ? { transport: 'transport-tls', media_encryption: 'sdes', media_encryption_optimistic: 'no' }
    : { transport: 'transport-udp', media_encryption: 'no' };
}

/**
 * Whether a contact (a REGISTER's Contact as Asterisk keeps it) came over TLS: a `sips:` URI, or
 * `;transport=tls` (Asterisk's rewritten contact of a TLS registration). Only these count for a
 * `tls` agent: its password also works over UDP, where Asterisk does not refuse the REGISTER.
 */
export function isTlsContact(uri: string): boolean {
  return /^sips:/i.test(uri) || /;transport=tls(;|>|$)/i.test(uri);
}

/** Where Asterisk finds the DTLS certificate of WebRTC agents' media; absent: one made at start. */
export interface DtlsCert {
  certFile: string;
  keyFile: string;
}

/** The endpoint values of a SIP phone (the agent-endpoint template of pjsip.conf); its transport and media encryption come from transportFields. */
const SIP_ENDPOINT: Record<string, string> = {
  disallow: 'all',
  allow: 'ulaw,alaw,gsm',
  direct_media: 'no',
  dtmf_mode: 'rfc4733',
  rtp_symmetric: 'yes',
  force_rport: 'yes',
  rewrite_contact: 'yes',
  timers: 'no',
};

/** The configured DTLS certificate of browser phones' media, or null: Asterisk makes one. */
export function dtlsCert(w: Pick<WebrtcConfig, 'dtlsCertFile' | 'dtlsKeyFile'>): DtlsCert | null {
  return w.dtlsCertFile && w.dtlsKeyFile ? { certFile: w.dtlsCertFile, keyFile: w.dtlsKeyFile } : null;
}

/**
 * A browser phone (the agent-webrtc-endpoint template): SIP over the WebSocket it registered on
 * (no transport named: Asterisk answers on the connection), webrtc=yes for DTLS-SRTP, ICE,
 * rtcp-mux and AVPF. ulaw first, so the bridge to the carrier's ulaw needs no transcoding.
 */
function webrtcEndpoint(dtls: DtlsCert | null): Record<string, string> {
  return {
    webrtc: 'yes',
    ...(dtls ? { dtls_cert_file: dtls.certFile, dtls_private_key: dtls.keyFile } : { dtls_auto_generate_cert: 'yes' }),
    disallow: 'all',
    allow: 'ulaw,opus',
    direct_media: 'no',
    dtmf_mode: 'rfc4733',
    force_rport: 'yes',
    rewrite_contact: 'yes',
    timers: 'no',
  };
}

/**
 * The three sorcery objects of one agent, in the order Asterisk needs them (the endpoint names
 * its auth and aor). Values as the sandbox's provision_agent proved them on Asterisk 22.
 */
export function sipObjects(
  a: Pick<ProvisionInput, 'sipUsername' | 'sipMd5' | 'sipRealm' | 'sipTransport' | 'softphone'>,
  context: string,
  dtls: DtlsCert | null = null,
): Array<{ type: 'auth' | 'aor' | 'endpoint'; fields: Record<string, string> }> {
  const u = a.sipUsername;
  // A browser phone's transport is the WebSocket it registered on, its media DTLS-SRTP; a SIP
  // phone's transport (UDP, or TLS with SRTP required) is the agent's own.
  const media = a.softphone === 'webrtc' ? webrtcEndpoint(dtls) : { ...SIP_ENDPOINT, ...transportFields(a.sipTransport ?? 'udp') };
  return [
    { type: 'auth', fields: { auth_type: 'md5', username: u, realm: a.sipRealm, md5_cred: a.sipMd5 } },
    { type: 'aor', fields: { max_contacts: '1', remove_existing: 'yes', minimum_expiration: '60', default_expiration: '120', qualify_frequency: '0' } },
    { type: 'endpoint', fields: { ...media, context, auth: u, aors: u } },
  ];
}

/** PUT is an upsert, so pushing an agent that Asterisk already has changes nothing. */
export async function pushAgent(ari: SipConfigPort, a: ProvisionInput, context: string, dtls: DtlsCert | null = null): Promise<void> {
  try {
    for (const o of sipObjects(a, context, dtls)) await ari.pushConfig('res_pjsip', o.type, a.sipUsername, o.fields);
  } catch (err) {
    throw new AsteriskUnavailableError(`Asterisk did not take the agent's SIP configuration: ${(err as Error).message}`);
  }
}

/** Endpoint first (it refers to the others); an object Asterisk does not have is already gone. */
export async function removeAgent(ari: SipConfigPort, sipUsername: string): Promise<void> {
  for (const type of ['endpoint', 'aor', 'auth']) {
    try {
      await ari.deleteConfig('res_pjsip', type, sipUsername);
    } catch (err) {
      if ((err as { httpStatus?: number }).httpStatus === 404) continue;
      throw new AsteriskUnavailableError(`Asterisk did not remove the agent's SIP configuration: ${(err as Error).message}`);
    }
  }
}

/**
 * Every agent pushed again (at API/worker start and each ARI reconnect). astdb keeps them over
 * an Asterisk restart, but a new Asterisk (or a wiped astdb) would otherwise lose them silently.
 */
export async function repushAllAgents(
  q: Queryable,
  ari: SipConfigPort,
  context: string,
  log: Logger,
  dtls: DtlsCert | null = null,
): Promise<{ pushed: number; failed: number }> {
  let pushed = 0;
  let failed = 0;
  for (const a of await listProvisioned(q)) {
    try {
      await pushAgent(ari, a, context, dtls);
      pushed++;
    } catch (err) {
      failed++;
      log.warn({ err, agentId: a.id }, 'agent re-push failed');
    }
  }
  log.info({ pushed, failed }, 'agents pushed to Asterisk');
  return { pushed, failed };
}
