import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import type { AriClient } from '../../src/dialer/ari.client.js';
import { ariPortFrom } from '../../src/dialer/ari-port.adapter.js';
import { CallSession } from '../../src/dialer/call-session.js';
import type { AriEvent, AriPort } from '../../src/dialer/ports.js';
import type { AriFixture } from './ari-fixture.js';
import { carrierEndpoint } from './ari.js';

/**
 * Places one real call with a real CallSession over `client` (its own Stasis app: every event the
 * app receives belongs to this call) and records what Asterisk sent and what the session did.
 */
export async function recordCall(
  client: AriClient,
  c: { scenario: string; description: string; number: string; ringTimeoutSeconds?: number; menuTimeoutMs?: number },
): Promise<AriFixture> {
  const options: AriFixture['options'] = {
    attemptId: randomUUID(),
    endpoint: carrierEndpoint(c.number),
    media: ['sound:hello-world', 'sound:vm-intro'],
    ringTimeoutSeconds: c.ringTimeoutSeconds ?? 8,
    menuTimeoutMs: c.menuTimeoutMs ?? 2_000,
    sounds: { acknowledged: ['sound:auth-thankyou'], optedOut: ['sound:goodbye'], machineMessage: ['sound:vm-intro'] },
  };
  const info = await client.http.request<{ system?: { version?: string } }>('GET', '/asterisk/info').catch(() => ({ system: undefined }));
  const ops: string[] = [];
  const base = ariPortFrom(client);
  // Every request the session makes is noted by name (the port's other methods pass through).
  const port = new Proxy(base, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv) as unknown;
      if (typeof v !== 'function' || prop === 'onEvent' || prop === 'onConnectionChange' || prop === 'isConnected') return v;
      return (...args: unknown[]) => {
        ops.push(String(prop));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as AriPort;
  const session = new CallSession(
    port,
    { ...options, amd: { enabled: false, machineAction: 'hangup', context: 'ringwise-amd' } },
    { onOptOut: async () => undefined },
    pino({ level: 'silent' }),
  );
  const events: AriFixture['events'] = [];
  const t0 = Date.now();
  const off = client.onAny((e) => {
    const event = e as unknown as AriEvent;
    events.push({ atMs: Date.now() - t0, event });
    session.handle(event);
  });
  try {
    await session.start();
    const r = await session.done;
    return {
      scenario: c.scenario,
      description: c.description,
      recordedAt: new Date().toISOString(),
      asteriskVersion: info.system?.version ?? 'unknown',
      number: c.number,
      options,
      events,
      ops,
      result: {
        outcome: r.outcome,
        endReason: r.facts.endReason ?? null,
        digits: r.facts.digits ?? '',
        answered: r.facts.answered,
        hungUpBy: r.facts.hungUpBy ?? null,
        cause: r.facts.cause ?? null,
        promptStarted: r.facts.promptStarted ?? false,
        promptFinished: r.facts.promptFinished ?? false,
      },
    };
  } finally {
    off();
  }
}
