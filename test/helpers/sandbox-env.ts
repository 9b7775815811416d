import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root (tests run from anywhere). */
export const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The sandbox slot this run uses (RINGWISE_SANDBOX_SLOT, 0-7; 0 by default): several checkouts
 * can each run their own sandbox (own Asterisk, SIPp and ports) side by side.
 */
export function sandboxSlot(): number {
  const slot = Number(process.env.RINGWISE_SANDBOX_SLOT ?? '0');
  if (!Number.isInteger(slot) || slot < 0 || slot > 7) throw new Error(`RINGWISE_SANDBOX_SLOT must be 0-7, got ${process.env.RINGWISE_SANDBOX_SLOT}`);
  return slot;
}

/** The slot's state folder: .sandbox for slot 0, .sandbox-sN for the others. */
export function sandboxDir(): string {
  const slot = sandboxSlot();
  return join(ROOT, slot === 0 ? '.sandbox' : `.sandbox-s${slot}`);
}

/**
 * The sandbox writes its generated credentials and addresses to <slot folder>/env (KEY=VALUE
 * lines). Tests build their configuration from it plus the process environment, never guesses.
 */
export function sandboxEnv(): Record<string, string> {
  const file = join(sandboxDir(), 'env');
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

/**
 * A UDP port for a test's SIPp softphone: tests name slot 0's port, and every slot's ports sit at
 * its offset (scripts/sandbox.sh), so two slots' softphones never collide.
 */
export function slotPort(slot0Port: number): number {
  const slot = sandboxSlot();
  return slot === 0 ? slot0Port : slot0Port + 15_000 + slot * 1_000;
}
