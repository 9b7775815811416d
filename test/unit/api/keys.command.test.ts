import { describe, expect, it } from 'vitest';
import { parseKeysArgs } from '../../../src/cli/keys.command.js';
import { UsageError } from '../../../src/cli/cli.args.js';
import { generateApiKey, hashApiKey } from '../../../src/auth/keys.repo.js';

describe('ringwise keys arguments', () => {
  it.each([
    [['create', '--role', 'admin'], { action: 'create', role: 'admin', name: 'admin key', agentId: null }],
    [['create', '--role=viewer', '--name', 'grafana'], { action: 'create', role: 'viewer', name: 'grafana', agentId: null }],
    [['create', '--role', 'agent', '--agent-id', '7'], { action: 'create', role: 'agent', name: 'agent key', agentId: 7 }],
    [['list'], { action: 'list' }],
    [['revoke', '12'], { action: 'revoke', id: 12 }],
  ])('parses %j', (args, want) => {
    expect(parseKeysArgs(args)).toEqual(want);
  });

  it.each([
    [[]],
    [['create']],
    [['create', '--role', 'root']],
    [['create', '--role']],
    [['create', '--role', 'admin', '--agent-id', '3']],
    [['create', '--role', 'agent', '--agent-id', 'x']],
    [['create', '--role', 'admin', '--bogus']],
    [['list', 'x']],
    [['revoke']],
    [['revoke', 'abc']],
    [['revoke', '0']],
    [['rotate']],
  ])('refuses %j', (args) => {
    expect(() => parseKeysArgs(args)).toThrow(UsageError);
  });
});

describe('API key material', () => {
  it('is rw_ + 32 random bytes in base64url, stored as sha256 hex', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^rw_[A-Za-z0-9_-]{43}$/);
    expect(a.key).not.toBe(b.key);
    expect(a.hash).toBe(hashApiKey(a.key));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.key.startsWith(a.prefix)).toBe(true);
    expect(a.prefix.length).toBeLessThan(12);
  });
});
