import { afterEach, describe, expect, it } from 'vitest';
import type { AmiClient } from '../../../src/agents/ami.client.js';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import { AriError } from '../../../src/dialer/ari.http.js';
import { sandboxAmi, sandboxAri, uniqueApp } from '../../helpers/ari.js';

// The sandbox renders asterisk-config/ with generated credentials into .sandbox/env; these
// prove that what it wrote is what Asterisk enforces, on both interfaces.
const APP = uniqueApp('access');
const open: Array<AriClient | AmiClient> = [];
const keep = <T extends AriClient | AmiClient>(c: T): T => (open.push(c), c);

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

describe('ARI with the rendered credentials', () => {
  it('answers REST as Asterisk 22 and registers the app over the events websocket', async () => {
    const ari = keep(sandboxAri(APP));
    const info = await ari.asteriskInfo();
    expect(info.system?.version).toMatch(/^22\./);

    await ari.connect({ timeoutMs: 10_000 });
    expect(ari.isConnected).toBe(true);
    const app = await ari.getApplication();
    expect(app.name).toBe(APP);
    // The client's default filter reached Asterisk.
    expect(app.events_disallowed.map((e) => e.type).sort()).toEqual(['ChannelDialplan', 'ChannelVarset', 'Dial', 'PlaybackContinuing', 'StasisEnd']);
  });

  it('refuses a wrong password on REST (401) and on the websocket, without retrying', async () => {
    const ari = keep(sandboxAri(APP, { password: 'not-the-password' }));
    const rest = await ari.listChannels().catch((e: unknown) => e);
    expect(rest).toBeInstanceOf(AriError);
    expect((rest as AriError).code).toBe('ari_http_401');
    expect((rest as AriError).httpStatus).toBe(401);

    const ws = await ari.connect({ timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(ws).toBeInstanceOf(AriError);
    expect((ws as AriError).code).toBe('ari_http_401');
    expect(ari.isConnected).toBe(false);
  });
});

describe('AMI with the rendered credentials', () => {
  it('logs in and answers actions', async () => {
    const ami = keep(sandboxAmi());
    await ami.connect({ timeoutMs: 10_000 });
    const pong = await ami.action('Ping');
    expect(pong.response).toBe('Success');
    expect(pong['ping']).toBe('Pong');
    // The manager user may list PJSIP contacts (presence needs it): a list action, possibly empty.
    const contacts = await ami.listAction('PJSIPShowContacts', {}, 'ContactListComplete');
    expect(Array.isArray(contacts.events)).toBe(true);
  });

  it('refuses a wrong password', async () => {
    const ami = keep(sandboxAmi({ password: 'not-the-password' }));
    await expect(ami.connect({ timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'ami_auth_failed' });
    expect(ami.isConnected).toBe(false);
  });
});
