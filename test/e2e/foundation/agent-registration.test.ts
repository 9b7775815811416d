import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmiClient, ContactListEvent, ContactStatusEvent } from '../../../src/agents/ami.client.js';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import type { ContactStatusChange, EndpointStateChange, PeerStatusChange } from '../../../src/dialer/ari.types.js';
import { recordAmi, recordAri, requireSandbox, sandboxAmi, sandboxAri, sandboxSh, uniqueApp, type EventLog } from '../../helpers/ari.js';

// An agent provisioned the way ringwise will do it (ARI dynamic configuration into astdb), a
// SIPp softphone registering to it with digest auth, and the registration seen by the app on
// both interfaces: AMI ContactStatus / PJSIPShowContacts and ARI ContactStatusChange / endpoint state.
const APP = uniqueApp('agentreg');
const USER = `rwt-agent-${randomBytes(4).toString('hex')}`;
const PASSWORD = randomBytes(12).toString('hex');
let ari: AriClient;
let ami: AmiClient;
let ariLog: EventLog<Parameters<Parameters<AriClient['onAny']>[0]>[0]>;
let amiLog: ReturnType<typeof recordAmi>;
let provisioned = false;
let softphone = false;

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  const env = requireSandbox();
  const realm = env['RINGWISE_SIP_REALM'] ?? 'ringwise';
  ari = sandboxAri(APP);
  ami = sandboxAmi({ eventMask: 'system' });
  ariLog = recordAri(ari);
  amiLog = recordAmi(ami);
  await Promise.all([ari.connect({ timeoutMs: 10_000 }), ami.connect({ timeoutMs: 10_000 })]);

  const md5 = createHash('md5').update(`${USER}:${realm}:${PASSWORD}`).digest('hex');
  await ari.pushConfig('res_pjsip', 'auth', USER, { auth_type: 'md5', username: USER, realm, md5_cred: md5 });
  await ari.pushConfig('res_pjsip', 'aor', USER, { max_contacts: '1', remove_existing: 'yes', default_expiration: '120', qualify_frequency: '0' });
  await ari.pushConfig('res_pjsip', 'endpoint', USER, {
    transport: 'transport-udp',
    context: env['RINGWISE_AGENT_CONTEXT'] ?? 'ringwise-agents',
    disallow: 'all',
    allow: 'ulaw,alaw,gsm',
    direct_media: 'no',
    dtmf_mode: 'rfc4733',
    rewrite_contact: 'yes',
    auth: USER,
    aors: USER,
  });
  provisioned = true;
  // Endpoint events for this agent reach the app only once it subscribes to them.
  const sub = await ari.subscribe(`endpoint:PJSIP/${USER}`);
  expect(sub.endpoint_ids).toContain(`PJSIP/${USER}`);
});

afterAll(async () => {
  if (softphone) await sandboxSh(['softphone', 'stop', USER]).catch(() => undefined);
  if (provisioned) {
    for (const type of ['endpoint', 'aor', 'auth']) await ari.deleteConfig('res_pjsip', type, USER).catch(() => undefined);
  }
  await Promise.all([ari?.close(), ami?.close()]);
});

describe('agent softphone registration', () => {
  it("the sandbox's demo agent (from .sandbox/env) is registered and online", async () => {
    const demo = requireSandbox()['AGENT_DEMO_1_USERNAME'];
    expect(demo, '.sandbox/env names AGENT_DEMO_1_USERNAME').toBeTruthy();
    const { events } = await ami.listAction<ContactListEvent>('PJSIPShowContacts', {}, 'ContactListComplete');
    const contact = events.find((e) => e.endpoint === demo);
    expect(contact?.uri).toContain(`sip:${demo}@`);
    expect((await ari.getEndpoint('PJSIP', demo!)).state).toBe('online');
  });

  it('a provisioned agent starts offline with no contact', async () => {
    const ep = await ari.getEndpoint('PJSIP', USER);
    expect(ep.state).toBe('offline');
    const { events } = await ami.listAction<ContactListEvent>('PJSIPShowContacts', {}, 'ContactListComplete');
    expect(events.filter((e) => e.endpoint === USER)).toEqual([]);
  });

  it('its REGISTER is seen through AMI (ContactStatus, PJSIPShowContacts) and ARI (ContactStatusChange, endpoint online)', async () => {
    const port = await freeUdpPort();
    softphone = true;
    await sandboxSh(['softphone', 'start', USER, PASSWORD, String(port), 'answer'], 40_000);

    const created = await amiLog.waitFor<ContactStatusEvent>(
      (e) => e.event === 'ContactStatus' && (e as ContactStatusEvent).aor === USER,
      15_000,
      `AMI ContactStatus for ${USER}`,
    );
    expect(created.endpointname).toBe(USER);
    // Observed on 22.10: a new contact on an aor with qualify_frequency=0 is announced once, as
    // NonQualified (no separate Created), and with PeerStatus Reachable.
    expect(created.contactstatus).toBe('NonQualified');
    expect(created.uri).toContain(`:${port}`);

    const change = await ariLog.waitFor<ContactStatusChange>(
      (e) => e.type === 'ContactStatusChange' && (e as ContactStatusChange).endpoint.resource === USER,
      15_000,
      `ARI ContactStatusChange for ${USER}`,
    );
    expect(change.contact_info.aor).toBe(USER);
    expect(change.contact_info.contact_status).toBe('NonQualified');
    expect(change.contact_info.uri).toContain(`:${port}`);
    const peer = await ariLog.waitFor<PeerStatusChange>(
      (e) => e.type === 'PeerStatusChange' && (e as PeerStatusChange).endpoint.resource === USER,
      5_000,
      'PeerStatusChange',
    );
    expect(peer.peer.peer_status).toBe('Reachable');
    const online = await ariLog.waitFor<EndpointStateChange>(
      (e) => e.type === 'EndpointStateChange' && (e as EndpointStateChange).endpoint.resource === USER,
      5_000,
      'EndpointStateChange',
    );
    expect(online.endpoint.state).toBe('online');

    const { events } = await ami.listAction<ContactListEvent>('PJSIPShowContacts', {}, 'ContactListComplete');
    const mine = events.filter((e) => e.endpoint === USER);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.uri).toContain(`:${port}`);
    expect(mine[0]!.objectname.startsWith(`${USER};@`)).toBe(true);
    expect((await ari.getEndpoint('PJSIP', USER)).state).toBe('online');
  });

  it('unregistering is seen too: ContactStatus Removed and the endpoint offline', async () => {
    await sandboxSh(['softphone', 'stop', USER]);
    softphone = false;
    const removed = await amiLog.waitFor<ContactStatusEvent>(
      (e) => e.event === 'ContactStatus' && (e as ContactStatusEvent).aor === USER && (e as ContactStatusEvent).contactstatus === 'Removed',
      15_000,
      `AMI ContactStatus Removed for ${USER}`,
    );
    expect(removed.endpointname).toBe(USER);
    await ariLog.waitFor(
      (e) =>
        e.type === 'EndpointStateChange' && (e as EndpointStateChange).endpoint.resource === USER && (e as EndpointStateChange).endpoint.state === 'offline',
      15_000,
      'EndpointStateChange offline',
    );
    expect((await ari.getEndpoint('PJSIP', USER)).state).toBe('offline');
  });
});
