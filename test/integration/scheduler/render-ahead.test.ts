import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createPromptPorts } from '../../../src/scheduler/prompt.adapter.js';
import { EspeakTts, type TtsEngine } from '../../../src/prompts/tts.engine.js';
import { sentenceHash } from '../../../src/prompts/speech.pieces.js';
import { planSpeech } from '../../../src/prompts/speech.plan.js';
import { startFakeAriWorker, type FakeAriWorker } from '../../helpers/fake-ari-worker.js';
import { testEnv } from '../../helpers/sandbox-env.js';
import { createLogger } from '../../../src/shared/logger.js';

const PROMPT = {
  'en-US': { segments: [{ type: 'tts', text: 'Hello {name}. Your payment of {amount} was due on {due_date}.' }] },
  'zh-CN': { segments: [{ type: 'tts', text: '您好{name}，您的贷款{amount}已逾期{days_past_due}天。' }] },
} as const;
const N = 1_000;

/** Real espeak-ng + sox, counting what it was asked to speak. */
function counted(engine: TtsEngine): TtsEngine & { count: number } {
  const c = {
    id: engine.id,
    count: 0,
    synthesize: async (text: string, locale: Parameters<TtsEngine['synthesize']>[1]) => {
      const wav = await engine.synthesize(text, locale);
      c.count++;
      return wav;
    },
  };
  return c;
}

// Real PostgreSQL, Redis, compliance gate and TTS (espeak-ng + sox), fake ARI: a personalised
// campaign of 1,000 distinct customers, half zh-CN and half en-US.
describe('render ahead of the dial', () => {
  let w: FakeAriWorker;
  let dir: string;
  const dialTts = counted(new EspeakTts());
  const aheadTts = counted(new EspeakTts({ niceness: 10 }));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rw-ahead-'));
    const config = loadConfig(testEnv({ RINGWISE_PROMPT_DIR: dir, RINGWISE_PROMPT_DIR_ON_ASTERISK: dir }));
    const log = createLogger('silent');
    const late: { ports?: ReturnType<typeof createPromptPorts> } = {};
    w = await startFakeAriWorker({
      name: 'ahead',
      // The worker's db is made by the harness: the ports are built lazily on first use.
      renderPrompt: (p, c, l) => late.ports!.render(p, c, l),
      renderAhead: (p, c, l) => late.ports!.ahead(p, c, l),
      global: { maxChannels: 50, callsPerSecond: 100 },
      concurrency: 50,
    });
    late.ports = createPromptPorts(config, w.tdb.db, log, dialTts, aheadTts);
    w.ari.onDial = (id) => {
      w.ari.answer(id);
      setTimeout(() => w.ari.emit({ type: 'ChannelDestroyed', channel: { id }, cause: 16 }), 20);
    };
  });
  afterAll(async () => {
    await w?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The contacts' sentence files in the prompt folder (the pieces they are joined from are files too). */
  const sentences = new Set(
    Array.from({ length: N }, (_, i) => {
      const g = i + 1;
      const locale = g % 2 === 0 ? 'zh-CN' : 'en-US';
      const customer = { name: `Customer ${g}`, amountDue: `${100 + g}.00`, currency: 'CNY', dueDate: '2026-11-01', daysPastDue: 10 };
      return `${sentenceHash(dialTts.id, locale, planSpeech(PROMPT[locale].segments[0].text, customer, loadConfig(testEnv()).bank, locale))}.wav`;
    }),
  );
  const sentencesOnDisk = async (): Promise<number> => (await readdir(dir)).filter((f) => sentences.has(f)).length;

  it('the first dial of a 1,000-contact personalised campaign does not wait for the renders; the rest are rendered ahead of their dial', async () => {
    const { db } = w.tdb;
    const c = await db.query<{ id: string }>(
      `INSERT INTO campaigns (name, state, prompt, calls_per_second, max_concurrent) VALUES ('ahead', 'draft', $1, 2, 50) RETURNING id::text`,
      [JSON.stringify(PROMPT)],
    );
    const campaignId = c.rows[0]!.id;
    await db.query(
      `WITH cu AS (
         INSERT INTO customers (external_id, name, phones, time_zone, locale, amount_due, currency, due_date, days_past_due)
         SELECT 'ahead-' || g, 'Customer ' || g, ARRAY['+86138' || lpad(g::text, 8, '0')], 'Asia/Shanghai',
                CASE WHEN g % 2 = 0 THEN 'zh-CN' ELSE 'en-US' END, 100 + g, 'CNY', DATE '2026-11-01', 10
           FROM generate_series(1, $2::int) g RETURNING id)
       INSERT INTO campaign_contacts (campaign_id, customer_id) SELECT $1, id FROM cu`,
      [campaignId, N],
    );
    const launchedAt = Date.now();
    await db.query(`UPDATE campaigns SET state = 'running' WHERE id = $1`, [campaignId]);
    await w.events.campaignStateChanged(campaignId, 'running');
    const deadline = Date.now() + 60_000;
    while (!w.ari.ops().includes('originate')) {
      if (Date.now() > deadline) throw new Error('no dial within 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    const firstDialMs = Date.now() - launchedAt;
    // Far from all 1,000 sentences existed when the first call went out.
    expect(await sentencesOnDisk()).toBeLessThan(N / 2);
    expect(firstDialMs).toBeLessThan(30_000);
    // Rendering goes on ahead of the dial (2 calls/s): soon more contacts have audio than were dialled.
    const end = Date.now() + 60_000;
    let files = 0;
    let dialled = 0;
    for (;;) {
      files = await sentencesOnDisk();
      dialled = w.ari.ops().filter((o) => o === 'originate').length;
      if (files >= dialled + 20) break;
      if (Date.now() > end) throw new Error(`rendering did not get ahead: ${files} files, ${dialled} dialled`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(aheadTts.count).toBeGreaterThan(0);
    await db.query(`UPDATE campaigns SET state = 'cancelled' WHERE id = $1`, [campaignId]);
    await w.events.campaignStateChanged(campaignId, 'cancelled');
  }, 180_000);
});
