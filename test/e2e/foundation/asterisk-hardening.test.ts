import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AmiClient } from '../../../src/agents/ami.client.js';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import { carrierEndpoint, requireSandbox, sandboxAmi, sandboxAri, uniqueApp, uniqueId } from '../../helpers/ari.js';
import { sandboxDir } from '../../helpers/sandbox-env.js';

/**
 * Issue 15, findings 2 and 13, against the sandbox's real Asterisk 22 (rendered from the same
 * asterisk-config/ as production): the ARI password is stored crypted and still works, the AMI
 * user can read registrations and nothing else, and calls leave no full number in Asterisk's
 * messages.log nor in the SIPp logs.
 */
const env = requireSandbox();
const secrets = Object.fromEntries(
  readFileSync(join(sandboxDir(), 'secrets.env'), 'utf8')
    .split('\n')
    .map((l) => /^([A-Z0-9_]+)=(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!]),
);
const etc = join(env['SANDBOX_CHROOT']!, dirname(env['SANDBOX_ASTERISK_CONF']!));
const open: Array<AriClient | AmiClient> = [];
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
});

describe('ARI credentials', () => {
  it('ari.conf holds a SHA-512 crypt hash, not the password, and the password still logs in', async () => {
    const conf = readFileSync(join(etc, 'ari.conf'), 'utf8');
    expect(conf).toMatch(/^password_format = crypt$/m);
    expect(conf).toMatch(/^password = \$6\$/m);
    expect(conf).not.toContain(secrets['ARI_PASSWORD']);
    const ari = sandboxAri(uniqueApp('hardening'));
    open.push(ari);
    expect((await ari.asteriskInfo()).system?.version).toMatch(/^22\./);
  });
});

describe('AMI user', () => {
  it('reads registrations (PJSIPShowContacts); no originate, command or redirect', async () => {
    const ami = sandboxAmi();
    open.push(ami);
    await ami.connect({ timeoutMs: 10_000 });
    await expect(ami.listAction('PJSIPShowContacts', {}, 'ContactListComplete')).resolves.toBeTruthy();
    const refused: Record<string, string> = {};
    for (const [action, fields] of [
      ['Originate', { Channel: 'Local/s@default', Application: 'Wait', Data: '1' }],
      ['Command', { Command: 'core show channels' }],
      ['Redirect', { Channel: 'PJSIP/x-00000001', Exten: 's', Context: 'default', Priority: '1' }],
    ] as const) {
      const err = await ami.action(action, fields).then(
        () => null,
        (e: unknown) => e as { details?: { message?: string } },
      );
      refused[action] = err?.details?.message ?? 'allowed';
    }
    // Not GetConfig, Hangup or ModuleLoad: Asterisk lets an action through on any one of its
    // classes, and those carry "system", which PJSIPShowContacts needs (README, Security).
    expect(refused).toEqual({ Originate: 'Permission denied', Command: 'Permission denied', Redirect: 'Permission denied' });
  });
});

describe('logs', () => {
  it('a call leaves no full number in messages.log nor in the SIPp logs', async () => {
    const number = `+86138000${String(Date.now()).slice(-3)}05`;
    const app = uniqueApp('hardening-log');
    const ari = sandboxAri(app);
    open.push(ari);
    await ari.connect({ timeoutMs: 10_000 });
    const id = uniqueId('hardening');
    await ari.originate({ endpoint: carrierEndpoint(number), channelId: id, timeout: 20 });
    // The carrier answers 0x numbers and stays: the call was placed, dialled and answered.
    for (let i = 0; i < 100; i++) {
      const chans = await ari.listChannels();
      if (chans.some((c) => c.id === id && c.state === 'Up')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await ari.hangup(id).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    const files = [join(env['SANDBOX_ASTERISK_LOG_DIR']!, 'messages.log'), ...listFiles(join(sandboxDir(), 'logs'))];
    for (const f of files) {
      const text = safeRead(f);
      expect(text.includes(number.slice(1)), `${f} holds ${number}`).toBe(false);
    }
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}
function safeRead(f: string): string {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}
