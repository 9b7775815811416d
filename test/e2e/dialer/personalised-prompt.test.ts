import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaybackFinished, PlaybackStarted } from '../../../src/dialer/ari.types.js';
import { renderText } from '../../../src/prompts/prompt.template.js';
import { sentenceHash } from '../../../src/prompts/speech.pieces.js';
import { planSpeech } from '../../../src/prompts/speech.plan.js';
import { EspeakTts } from '../../../src/prompts/tts.engine.js';
import { parseWav } from '../../../src/prompts/wav.js';
import {
  attempts,
  campaignState,
  createHarness,
  num,
  seedCampaign,
  setCampaignState,
  startWorker,
  waitFor,
  type Harness,
  type RunningWorker,
} from './dialer-harness.js';

const PROMPT = {
  'zh-CN': { segments: [{ type: 'tts', text: '您好{name}，您的贷款{amount}已逾期{days_past_due}天，请尽快还款。' }] },
  'en-US': { segments: [{ type: 'tts', text: 'Hello {name}. Your payment of {amount} was due on {due_date}. Please pay soon.' }] },
} as const;

// A personalised prompt through the real Asterisk: the worker joins each customer's sentence
// from speech pieces (espeak-ng renders the pieces, Node joins them), Asterisk plays the file to
// a SIPp callee that answers and listens (carrier 0x), and the whole sentence is heard.
describe('dialer e2e: personalised prompt joined from pieces', () => {
  let h: Harness;
  let w: RunningWorker;
  const started: PlaybackStarted[] = [];
  const finished: PlaybackFinished[] = [];

  beforeAll(async () => {
    h = await createHarness();
    w = await startWorker(h);
    w.client.on('PlaybackStarted', (e) => void started.push(e));
    w.client.on('PlaybackFinished', (e) => void finished.push(e));
  });
  afterAll(async () => {
    await w?.stop();
    await h?.close();
  });

  it('plays each customer their own sentence, in their language, to the end', async () => {
    const seeded = await seedCampaign(h, {
      prompt: PROMPT,
      contacts: [
        { phone: num('01', 41), locale: 'zh-CN' },
        { phone: num('02', 42), locale: 'en-US' },
      ],
    });
    // Names of their own (the harness seeds one name for all).
    await h.tdb.db.query(`UPDATE customers SET name = CASE locale WHEN 'zh-CN' THEN '王小明' ELSE 'Mary Smith' END WHERE id = ANY($1::bigint[])`, [
      seeded.contacts.map((c) => c.customerId),
    ]);
    await setCampaignState(h, seeded.campaignId, 'running');
    await waitFor('campaign completed', async () => (await campaignState(h, seeded.campaignId)) === 'completed', 90_000);

    const rows = await attempts(h, seeded.campaignId);
    expect(rows.map((r) => r.outcome)).toEqual(['completed', 'completed']);
    const customers = await h.tdb.db.query<{ id: string; name: string; locale: 'zh-CN' | 'en-US'; amountDue: string; dueDate: Date; daysPastDue: number }>(
      `SELECT id::text, name, locale, amount_due::text AS "amountDue", due_date AS "dueDate", days_past_due AS "daysPastDue" FROM customers WHERE id = ANY($1::bigint[])`,
      [seeded.contacts.map((c) => c.customerId)],
    );
    const tts = new EspeakTts();
    for (const c of customers.rows) {
      const contact = seeded.contacts.find((x) => x.customerId === c.id)!;
      const attempt = rows.find((r) => r.contactId === contact.contactId)!;
      const customer = { ...c, currency: 'CNY' };
      const template = PROMPT[c.locale].segments[0].text;
      // The file the worker played is the customer's sentence joined from pieces, by content hash.
      const hash = sentenceHash(tts.id, c.locale, planSpeech(template, customer, h.config.bank, c.locale));
      const media = `sound:${h.config.paths.promptDirOnAsterisk.replace(/\/+$/, '')}/${hash}`;
      const call = w.played.find((p) => p.media.includes(media));
      expect(call, `${c.locale}: the worker played ${media}`).toBeDefined();
      const wav = parseWav(await readFile(join(h.config.paths.promptDir, `${hash}.wav`)))!;
      // About as long as espeak-ng saying the whole sentence: no word lost, no long gaps.
      const whole = parseWav(await tts.synthesize(renderText(template, customer, h.config.bank, c.locale), c.locale))!.durationMs;
      expect(wav.durationMs).toBeGreaterThan(whole * 0.9);
      expect(wav.durationMs).toBeLessThan(whole * 1.4);

      // Asterisk started it (the call's first audio) and played it to the end.
      const firstAudio = await h.tdb.db.query<{ at: Date | null }>(`SELECT first_audio_at AS at FROM call_attempts WHERE id = $1`, [attempt.id]);
      expect(firstAudio.rows[0]!.at).not.toBeNull();
      expect(started.some((e) => e.playback.target_uri === `channel:${call!.channelId}` && e.playback.media_uri === media)).toBe(true);
      const done = finished.find((e) => e.playback.target_uri === `channel:${call!.channelId}` && e.playback.media_uri === media);
      expect(done?.playback.state).toBe('done');
      // Played to the end, not cut short: the call lasted at least the sentence after its first audio.
      expect(attempt.endedAt!.getTime() - firstAudio.rows[0]!.at!.getTime()).toBeGreaterThanOrEqual(wav.durationMs - 100);
    }
  }, 150_000);
});
