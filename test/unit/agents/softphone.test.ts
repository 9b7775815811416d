import { describe, expect, it } from 'vitest';
import { dtlsCert, sipObjects } from '../../../src/agents/agent.provision.js';
import { consoleCsp } from '../../../src/api/console.routes.js';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/shared/errors.js';

const agent = { sipUsername: 'web-1', sipMd5: 'f'.repeat(32), sipRealm: 'ringwise' };
const endpoint = (o: ReturnType<typeof sipObjects>) => o.find((x) => x.type === 'endpoint')!.fields;
const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig({ NODE_ENV: 'development', ...env });
    return [];
  } catch (err) {
    return ((err as ConfigError).details as { problems: string[] }).problems;
  }
};

describe('browser phone: endpoint values, configuration, CSP', () => {
  it('a SIP agent keeps the UDP endpoint; a WebRTC agent gets DTLS-SRTP with ICE and no fixed transport', () => {
    expect(endpoint(sipObjects(agent, 'ringwise-agents'))).toMatchObject({ transport: 'transport-udp', allow: 'ulaw,alaw,gsm' });
    const web = endpoint(sipObjects({ ...agent, softphone: 'webrtc' }, 'ringwise-agents'));
    expect(web).toMatchObject({ webrtc: 'yes', dtls_auto_generate_cert: 'yes', allow: 'ulaw,opus', context: 'ringwise-agents', auth: 'web-1', aors: 'web-1' });
    expect(web).not.toHaveProperty('transport');
    const withCert = endpoint(sipObjects({ ...agent, softphone: 'webrtc' }, 'c', { certFile: '/etc/a.pem', keyFile: '/etc/a.key' }));
    expect(withCert).toMatchObject({ dtls_cert_file: '/etc/a.pem', dtls_private_key: '/etc/a.key' });
    expect(withCert).not.toHaveProperty('dtls_auto_generate_cert');
    // The auth and aor are the same for both kinds.
    expect(sipObjects({ ...agent, softphone: 'webrtc' }, 'c').slice(0, 2)).toEqual(sipObjects(agent, 'c').slice(0, 2));
  });

  it('configuration: off by default, wss or loopback ws only, stun URLs, cert and key together', () => {
    const off = loadConfig({ NODE_ENV: 'development' }).agents.webrtc;
    expect(off).toEqual({ wsUrl: '', iceServers: [], dtlsCertFile: '', dtlsKeyFile: '' });
    expect(dtlsCert(off)).toBeNull();
    const on = loadConfig({
      NODE_ENV: 'development',
      RINGWISE_WEBRTC_WS_URL: 'wss://desk.bank.example/sip-ws',
      RINGWISE_WEBRTC_ICE_SERVERS: 'stun:stun.bank.example:3478, stun:10.0.0.2',
    }).agents.webrtc;
    expect(on.iceServers).toEqual(['stun:stun.bank.example:3478', 'stun:10.0.0.2']);
    expect(problems({ RINGWISE_WEBRTC_WS_URL: 'ws://127.0.0.1:8088/ws' })).toEqual([]);
    expect(problems({ RINGWISE_WEBRTC_WS_URL: 'ws://pbx.bank.example:8088/ws' })).toEqual([expect.stringContaining('must be wss://')]);
    expect(problems({ RINGWISE_WEBRTC_WS_URL: 'https://pbx.bank.example/ws' })).toEqual([expect.stringContaining('must use ws: or wss:')]);
    expect(problems({ RINGWISE_WEBRTC_ICE_SERVERS: 'turn:relay.example' })).toEqual([expect.stringContaining('is not a stun: URL')]);
    expect(problems({ RINGWISE_WEBRTC_DTLS_CERT_FILE: '/etc/a.pem' })).toEqual([expect.stringContaining('go together')]);
  });

  it("the console's CSP admits the configured WebSocket's origin, and nothing when none is set", () => {
    expect(consoleCsp()).toContain("connect-src 'self';");
    expect(consoleCsp('wss://desk.bank.example/sip-ws')).toContain("connect-src 'self' wss://desk.bank.example;");
    expect(consoleCsp('ws://127.0.0.1:25088/ws')).toContain("connect-src 'self' ws://127.0.0.1:25088;");
  });
});
