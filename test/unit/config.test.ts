import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/shared/errors.js';

describe('loadConfig', () => {
  it('gives sandbox-compatible defaults in development', () => {
    const c = loadConfig({ NODE_ENV: 'development' });
    expect(c.dialer.dialTemplate).toBe('PJSIP/{number}@carrier');
    expect(c.dialer.ringTimeoutSeconds).toBe(25);
    expect(c.defaultRegion).toBe('CN');
    expect(Object.isFrozen(c.dialer)).toBe(true);
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({ NODE_ENV: 'development', RINGWISE_API_PORT: 'x', DATABASE_URL: 'mysql://h/db', RINGWISE_RING_TIMEOUT_SECONDS: '5' });
      expect.fail('should throw');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).details as { problems: string[] };
      expect(problems.problems).toHaveLength(3);
      expect(problems.problems.join('\n')).toMatch(/RINGWISE_API_PORT/);
      expect(problems.problems.join('\n')).toMatch(/RINGWISE_RING_TIMEOUT_SECONDS must be an integer from 15/);
    }
  });

  it('refuses a policy profile that does not exist at start-up', () => {
    expect(loadConfig({ NODE_ENV: 'development', RINGWISE_POLICY_PROFILE: 'us-regf' }).policyProfile).toBe('us-regf');
    expect(() => loadConfig({ NODE_ENV: 'development', RINGWISE_POLICY_PROFILE: 'cn_bank' })).toThrow(
      /RINGWISE_POLICY_PROFILE must be one of cn-bank, us-regf/,
    );
  });

  it('requires secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/ARI_PASSWORD is required[\s\S]*AMI_PASSWORD is required/);
  });

  it('agent bridging: defaults, and a pacing ratio that must be a positive number', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).agents).toMatchObject({ ringSeconds: 10, waitSeconds: 2, pacingRatio: 1 });
    expect(loadConfig({ NODE_ENV: 'development', RINGWISE_AGENT_PACING_RATIO: '1.5', RINGWISE_AGENT_RING_SECONDS: '20' }).agents).toMatchObject({
      pacingRatio: 1.5,
      ringSeconds: 20,
    });
    expect(() => loadConfig({ NODE_ENV: 'development', RINGWISE_AGENT_PACING_RATIO: 'fast' })).toThrow(
      /RINGWISE_AGENT_PACING_RATIO must be a number from 0.1 to 10/,
    );
    expect(() => loadConfig({ NODE_ENV: 'development', RINGWISE_AGENT_WAIT_SECONDS: '-1' })).toThrow(/RINGWISE_AGENT_WAIT_SECONDS/);
  });

  it('rejects a dial template without {number}', () => {
    expect(() => loadConfig({ NODE_ENV: 'development', RINGWISE_DIAL_TEMPLATE: 'PJSIP/carrier' })).toThrow(/must contain \{number\}/);
  });
});
