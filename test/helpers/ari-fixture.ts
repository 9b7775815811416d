import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AriEvent } from '../../src/dialer/ports.js';
import type { SessionOptions } from '../../src/dialer/call-session.types.js';

/**
 * One real call through the sandbox's Asterisk 22, as its CallSession lived it: the ARI events
 * the app received (with ms since the originate), the requests the session made, and how it
 * ended. Written by test/e2e/dialer/ari-fixtures.test.ts (RECORD_ARI_FIXTURES=1), replayed by
 * the CallSession unit tests (test/unit/dialer/call-session.replay.test.ts).
 */
export interface AriFixture {
  scenario: string;
  description: string;
  recordedAt: string;
  asteriskVersion: string;
  /** The carrier test number dialled (test/helpers/carrier.ts). */
  number: string;
  /** The session's options (AMD off; everything here is JSON). */
  options: Omit<SessionOptions, 'now' | 'amd'>;
  events: Array<{ atMs: number; event: AriEvent }>;
  /** The ARI requests the session made, in order (originate, play, hangup...). */
  ops: string[];
  result: {
    outcome: string;
    endReason: string | null;
    digits: string;
    answered: boolean;
    hungUpBy: string | null;
    cause: number | null;
    promptStarted: boolean;
    promptFinished: boolean;
  };
}

export const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'ari');

/** The recorded scenarios: name, carrier number, what happens. */
export const ARI_SCENARIOS = [
  {
    scenario: 'answered-prompt-menu-timeout',
    number: '+8613800000001',
    description: 'a person answers, the prompt plays, nobody presses a key: we hang up at the menu timeout',
  },
  { scenario: 'dtmf-2-promise-to-pay', number: '+8613800000012', description: 'a person answers and presses 2 (promise to pay) ~2 s after answer' },
  { scenario: 'busy', number: '+8613800000020', description: 'the carrier answers the INVITE with 486 Busy Here' },
  { scenario: 'no-answer', number: '+8613800000030', description: 'it rings (180) until the originate timeout ends it' },
  { scenario: 'callee-hangs-up-mid-prompt', number: '+8613800000070', description: 'a person answers and hangs up (BYE) ~1.8 s later, during the prompt' },
] as const;

export type AriScenario = (typeof ARI_SCENARIOS)[number]['scenario'];

export function loadAriFixture(scenario: AriScenario): AriFixture {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, `${scenario}.json`), 'utf8')) as AriFixture;
}
