import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTlsContact, sipObjects, transportFields } from '../../../src/agents/agent.provision.js';
import { loadConfig } from '../../../src/config.js';

const base = { sipUsername: 'alice', sipMd5: 'f'.repeat(32), sipRealm: 'ringwise' };
const endpoint = (t?: 'udp' | 'tls') => sipObjects({ ...base, sipTransport: t }, 'ringwise-agents').find((o) => o.type === 'endpoint')!.fields;

describe('agents over TLS with SRTP: what ringwise pushes to Asterisk', () => {
  it('a tls agent: transport-tls, SDES SRTP with no fallback to plain RTP', () => {
    expect(endpoint('tls')).toMatchObject({
      transport: 'transport-tls',
      media_encryption: 'sdes',
      media_encryption_optimistic: 'no',
      auth: 'alice',
      aors: 'alice',
      allow: 'ulaw,alaw,gsm',
    });
  });

  it('a udp agent (and one with no transport given) stays plain UDP and RTP', () => {
    expect(endpoint('udp')).toMatchObject({ transport: 'transport-udp', media_encryption: 'no' });
    expect(endpoint()).toEqual(endpoint('udp'));
    expect(endpoint('udp')).not.toHaveProperty('media_encryption_optimistic');
  });

  it('transportFields matches the [agent-endpoint-tls] template of pjsip-tls.conf', () => {
    const conf = readFileSync(new URL('../../../asterisk-config/pjsip-tls.conf', import.meta.url), 'utf8');
    const template = conf.slice(conf.indexOf('[agent-endpoint-tls]'));
    for (const [k, v] of Object.entries(transportFields('tls'))) expect(template).toMatch(new RegExp(`^${k} = ${v}$`, 'm'));
  });

  it('only a TLS contact counts as a TLS registration', () => {
    // What Asterisk 22 keeps for a baresip registration over TLS (rewrite_contact=yes).
    expect(isTlsContact('sip:alice-0x55@127.0.0.1:41364;transport=TLS')).toBe(true);
    expect(isTlsContact('sips:alice@10.0.0.5:5061')).toBe(true);
    expect(isTlsContact('<sip:alice@10.0.0.5:5061;transport=tls>')).toBe(true);
    expect(isTlsContact('sip:alice@127.0.0.1:21090')).toBe(false);
    expect(isTlsContact('sip:alice@127.0.0.1:5060;transport=udp')).toBe(false);
    expect(isTlsContact('sip:alice@127.0.0.1:5060;transport=tcp')).toBe(false);
    expect(isTlsContact('sip:alice@127.0.0.1:5060;transport=tlsx')).toBe(false);
    expect(isTlsContact('sip:alice@10.0.0.5;transport=ws')).toBe(false);
  });

  it('RINGWISE_AGENT_SIP_TRANSPORT: udp by default, tls allowed, anything else refused', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).agents.defaultSipTransport).toBe('udp');
    expect(loadConfig({ NODE_ENV: 'development', RINGWISE_AGENT_SIP_TRANSPORT: 'tls' }).agents.defaultSipTransport).toBe('tls');
    expect(() => loadConfig({ NODE_ENV: 'development', RINGWISE_AGENT_SIP_TRANSPORT: 'tcp' })).toThrow(/RINGWISE_AGENT_SIP_TRANSPORT/);
  });
});

describe('render-asterisk-config.sh with the TLS transport', () => {
  const script = new URL('../../../scripts/render-asterisk-config.sh', import.meta.url).pathname;
  const src = new URL('../../../asterisk-config', import.meta.url).pathname;
  const env = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    ASTERISK_ETC_DIR: '/etc/x',
    ASTERISK_MAX_CALLS: '10',
    ASTERISK_BIND_ADDR: '127.0.0.1',
    SIP_BIND_ADDR: '192.0.2.10',
    ASTERISK_HTTP_PORT: '8088',
    ARI_USER: 'u',
    ARI_PASSWORD: 'p',
    AMI_PORT: '5038',
    AMI_USER: 'u',
    AMI_PASSWORD: 'p',
    AMI_PERMIT: '127.0.0.1/255.255.255.255',
    SIP_PORT: '5060',
    SIP_REALM: 'ringwise',
    CARRIER_HOST: '192.0.2.1',
    CARRIER_PORT: '5060',
    CARRIER_MATCH: '192.0.2.1',
    RTP_START: '10000',
    RTP_END: '20000',
    SIP_TLS_PORT: '5061',
    SIP_TLS_CERT_FILE: '/etc/ringwise/sip-tls/fullchain.pem',
    SIP_TLS_KEY_FILE: '/etc/ringwise/sip-tls/privkey.pem',
  };

  it('puts the certificate paths and port from the environment into transport-tls, included by pjsip.conf', () => {
    const dest = mkdtempSync(join(tmpdir(), 'rw-render-'));
    try {
      execFileSync('bash', [script, src, join(dest, 'etc')], { env, stdio: 'pipe' });
      const tls = readFileSync(join(dest, 'etc', 'pjsip-tls.conf'), 'utf8');
      expect(tls).toMatch(/^bind = 192\.0\.2\.10:5061$/m);
      expect(tls).toMatch(/^cert_file = \/etc\/ringwise\/sip-tls\/fullchain\.pem$/m);
      expect(tls).toMatch(/^priv_key_file = \/etc\/ringwise\/sip-tls\/privkey\.pem$/m);
      expect(tls).toMatch(/^protocol = tls$/m);
      expect(readFileSync(join(dest, 'etc', 'pjsip.conf'), 'utf8')).toMatch(/^#include pjsip-tls\.conf$/m);
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  });

  it('refuses to render without the certificate, naming each missing variable', () => {
    const dest = mkdtempSync(join(tmpdir(), 'rw-render-'));
    try {
      const { SIP_TLS_CERT_FILE: _c, SIP_TLS_KEY_FILE: _k, ...partial } = env;
      const r = spawnSync('bash', [script, src, join(dest, 'etc')], { env: partial, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/SIP_TLS_CERT_FILE\} is not set \(used in pjsip-tls\.conf\)/);
      expect(r.stderr).toMatch(/SIP_TLS_KEY_FILE\} is not set/);
    } finally {
      rmSync(dest, { recursive: true, force: true });
    }
  });
});
