import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (tests run from anywhere). */
export const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The sandbox writes its generated credentials and addresses to .sandbox/env (KEY=VALUE lines).
 * Tests build their configuration from it plus the process environment, never from guesses.
 */
export function sandboxEnv(): Record<string, string> {
  const file = join(ROOT, '.sandbox', 'env');
  const out: Record<string, string> = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
    }
  }
  return out;
}

/** Environment for loadConfig in tests: sandbox values, then explicit overrides. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...sandboxEnv(), ...overrides };
}
