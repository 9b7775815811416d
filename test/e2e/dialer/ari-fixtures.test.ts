import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AriClient } from '../../../src/dialer/ari.client.js';
import { ARI_SCENARIOS, FIXTURE_DIR, loadAriFixture, type AriFixture } from '../../helpers/ari-fixture.js';
import { recordCall } from '../../helpers/ari-record.js';
import { sandboxAri, uniqueApp } from '../../helpers/ari.js';

/**
 * The ARI fixtures the CallSession unit tests replay (test/fixtures/ari/), checked against the
 * real Asterisk 22 on every run: each scenario is called again through the sandbox's carrier and
 * must end as its recording says. `RECORD_ARI_FIXTURES=1` rewrites the recordings instead:
 *   RECORD_ARI_FIXTURES=1 npx vitest run test/e2e/dialer/ari-fixtures.test.ts
 */
const RECORD = process.env.RECORD_ARI_FIXTURES === '1';

describe('ARI fixtures: real calls through Asterisk 22', () => {
  const clients: AriClient[] = [];
  const fresh = new Map<string, AriFixture>();

  beforeAll(async () => {
    // One Stasis app per call, all at once: each app hears only its own call.
    const runs = ARI_SCENARIOS.map(async (s) => {
      const client = sandboxAri(uniqueApp(`fx-${s.scenario}`));
      clients.push(client);
      await client.connect({ timeoutMs: 10_000 });
      fresh.set(s.scenario, await recordCall(client, s));
    });
    await Promise.all(runs);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  for (const s of ARI_SCENARIOS) {
    it(`${s.scenario}: ${s.description}`, () => {
      const now = fresh.get(s.scenario)!;
      const file = join(FIXTURE_DIR, `${s.scenario}.json`);
      if (RECORD) writeFileSync(file, `${JSON.stringify(now, null, 2)}\n`);
      expect(existsSync(file), `${file} is missing: record it with RECORD_ARI_FIXTURES=1`).toBe(true);
      const recorded = loadAriFixture(s.scenario);
      // What the call came to, and what the session asked of Asterisk on the way.
      expect(now.result).toEqual(recorded.result);
      expect(now.ops).toEqual(recorded.ops);
      expect(now.events.map((e) => e.event.type)).toContain('ChannelDestroyed');
      // The client's event filter: Asterisk sends none of the events nothing reads.
      expect(now.events.map((e) => e.event.type).filter((t) => t === 'Dial' || t === 'PlaybackContinuing' || t === 'StasisEnd')).toEqual([]);
    });
  }
});
