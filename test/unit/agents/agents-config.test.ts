import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';

describe('agents configuration', () => {
  it('defaults: 15 s wrap-up, 90-day recording retention, the sandbox context and realm', () => {
    const c = loadConfig({ NODE_ENV: 'development' });
    expect(c.agents).toMatchObject({ wrapUpSeconds: 15, context: 'ringwise-agents', sipRealm: 'ringwise' });
    expect(c.paths.recordingRetentionDays).toBe(90);
  });

  it('reads RINGWISE_WRAP_UP_SECONDS, RINGWISE_RECORDING_RETENTION_DAYS, RINGWISE_AGENT_CONTEXT, RINGWISE_SIP_REALM', () => {
    const c = loadConfig({
      NODE_ENV: 'development',
      RINGWISE_WRAP_UP_SECONDS: '0',
      RINGWISE_RECORDING_RETENTION_DAYS: '30',
      RINGWISE_AGENT_CONTEXT: 'agents-x',
      RINGWISE_SIP_REALM: 'bank',
    });
    expect(c.agents).toMatchObject({ wrapUpSeconds: 0, context: 'agents-x', sipRealm: 'bank' });
    expect(c.paths.recordingRetentionDays).toBe(30);
  });

  it('refuses values out of range, naming each', () => {
    expect(() => loadConfig({ NODE_ENV: 'development', RINGWISE_WRAP_UP_SECONDS: '-1', RINGWISE_RECORDING_RETENTION_DAYS: '0' })).toThrow(
      /RINGWISE_WRAP_UP_SECONDS[\s\S]*RINGWISE_RECORDING_RETENTION_DAYS/,
    );
    expect(() => loadConfig({ NODE_ENV: 'development', RINGWISE_WRAP_UP_SECONDS: 'soon' })).toThrow(/RINGWISE_WRAP_UP_SECONDS/);
  });
});
