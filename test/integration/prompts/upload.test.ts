import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMPT_UPLOAD_MAX_BYTES } from '../../../src/api/prompts.routes.js';
import { renderPromptAudio } from '../../../src/prompts/prompt.render.js';
import { createPromptLookup, missingPromptIds } from '../../../src/prompts/prompts.repo.js';
import { EspeakTts } from '../../../src/prompts/tts.engine.js';
import { parseWav } from '../../../src/prompts/wav.js';
import { createLogger } from '../../../src/shared/logger.js';
import { createTestApi, type TestApi } from '../../helpers/api.js';

/** A real recording made by sox: 1.5 s of a tone, CD-quality stereo, in the given format. */
function recording(dir: string, ext: string): Promise<Buffer> {
  const file = join(dir, `tone.${ext}`);
  execFileSync('sox', ['-n', '-r', '44100', '-c', '2', file, 'synth', '1.5', 'sine', '440']);
  return readFile(file);
}

describe('POST /v1/prompts and friends', () => {
  let api: TestApi;
  let dir: string;
  let promptDir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ringwise-upload-'));
    promptDir = join(dir, 'prompts');
    api = await createTestApi({ env: { RINGWISE_PROMPT_DIR: promptDir, RINGWISE_PROMPT_DIR_ON_ASTERISK: '/var/lib/ringwise/prompts' } });
  });
  afterAll(async () => {
    await api?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const upload = (body: Buffer | string, contentType: string, query = '?name=greeting&locale=zh-CN', role: 'operator' | 'viewer' = 'operator') =>
    api.app.inject({ method: 'POST', url: `/v1/prompts${query}`, headers: { ...api.as(role), 'content-type': contentType }, payload: body });

  it('converts an uploaded wav to 8 kHz mono, stores it by content hash and records it', async () => {
    const res = await upload(await recording(dir, 'wav'), 'audio/wav');
    expect(res.statusCode, res.body).toBe(201);
    const p = res.json();
    expect(p).toMatchObject({ name: 'greeting', locale: 'zh-CN', kind: 'audio', text: null });
    expect(p.audioFile).toBe(`${p.contentHash}.wav`);
    expect(p.media).toBe(`sound:/var/lib/ringwise/prompts/${p.contentHash}`);
    const file = join(promptDir, p.audioFile);
    const info = parseWav(await readFile(file));
    expect(info).toMatchObject({ format: 1, sampleRate: 8000, channels: 1, bitsPerSample: 16 });
    expect(info?.durationMs).toBe(1500);
    expect(execFileSync('soxi', ['-r', file], { encoding: 'utf8' }).trim()).toBe('8000');

    expect((await api.app.inject({ url: `/v1/prompts/${p.id}`, headers: api.as('viewer') })).json()).toEqual(p);
    const { rows } = await api.t.db.query(`SELECT action, target_id, details FROM audit_log WHERE target_type = 'prompt'`);
    expect(rows).toEqual([{ action: 'prompt.create', target_id: String(p.id), details: expect.objectContaining({ kind: 'audio', durationMs: 1500 }) }]);

    // The campaign renderer plays it by id.
    const r = await renderPromptAudio(
      {
        tts: new EspeakTts(),
        promptDir,
        promptDirOnAsterisk: '/var/lib/ringwise/prompts',
        log: createLogger('silent'),
        lookupPrompt: createPromptLookup(api.t.db),
      },
      { 'zh-CN': { segments: [{ type: 'audio', promptId: p.id }] } },
      { name: 'x', amountDue: null, currency: null, dueDate: null, daysPastDue: null },
      'zh-CN',
      { name: 'b', callbackNumber: '95500' },
    );
    expect(r.media).toEqual([p.media]);
    expect(await missingPromptIds(api.t.db, [p.id, p.id + 1000])).toEqual([p.id + 1000]);
  });

  it('reads ogg and flac too', async () => {
    for (const [ext, type] of [
      ['ogg', 'audio/ogg'],
      ['flac', 'audio/flac'],
    ] as const) {
      const res = await upload(await recording(dir, ext), type);
      expect(res.statusCode, `${type}: ${res.body}`).toBe(201);
      expect(parseWav(await readFile(join(promptDir, res.json().audioFile)))?.sampleRate).toBe(8000);
    }
  });

  it('answers garbage with 422 audio_invalid, never a 500, and leaves nothing behind', async () => {
    const before = (await readdir(promptDir)).length;
    for (const [body, type] of [
      ['this is not audio at all', 'audio/wav'],
      [Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVEjunkjunkjunk'), 'audio/x-wav'],
      [Buffer.alloc(4096, 7), 'audio/ogg'],
      [Buffer.alloc(0), 'audio/wav'],
    ] as const) {
      const res = await upload(body, type);
      expect(res.statusCode, `${type}: ${res.body}`).toBe(422);
      expect(res.json().error.code).toBe('audio_invalid');
    }
    // mp3 needs libsox-fmt-mp3: without it the answer is a clear 415, with it garbage is a 422.
    const mp3 = await upload('not an mp3', 'audio/mpeg');
    expect([415, 422]).toContain(mp3.statusCode);
    expect(['audio_format_unsupported', 'audio_invalid']).toContain(mp3.json().error.code);
    expect((await readdir(promptDir)).length).toBe(before);
    const { rows } = await api.t.db.query(`SELECT count(*)::int AS n FROM prompts`);
    expect(rows[0].n).toBe(3);
  });

  it('refuses uploads past the size limit, other content types, and missing name or locale', async () => {
    const big = await upload(Buffer.alloc(PROMPT_UPLOAD_MAX_BYTES + 1), 'audio/wav');
    expect(big.statusCode).toBe(413);
    expect((await upload('hello', 'text/plain')).statusCode).toBe(415);
    const noName = await upload(await recording(dir, 'wav'), 'audio/wav', '?locale=zh-CN');
    expect(noName.statusCode).toBe(400);
    expect(noName.json().error.code).toBe('invalid_request');
  });

  it('stores TTS templates, refusing unknown fields', async () => {
    const post = (payload: unknown, role: 'operator' | 'viewer' = 'operator') =>
      api.app.inject({ method: 'POST', url: '/v1/prompts', headers: api.as(role), payload: payload as object });
    const ok = await post({ name: 'reminder', locale: 'zh-CN', kind: 'tts', text: '您好{name}，请于{due_date}前还款。' });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ kind: 'tts', audioFile: null, media: null, text: '您好{name}，请于{due_date}前还款。' });
    const bad = await post({ name: 'reminder', locale: 'zh-CN', kind: 'tts', text: '您好{full_name}' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error).toMatchObject({ code: 'prompt_unknown_field', details: { fields: ['full_name'] } });
    expect((await post({ name: 'x', locale: 'fr-FR', kind: 'tts', text: 'Bonjour' })).statusCode).toBe(400);
    expect((await post({ name: 'x', locale: 'en-US', kind: 'tts', text: 'Hi', extra: 1 })).statusCode).toBe(400);
  });

  it('checks roles and lists newest first with a cursor', async () => {
    expect((await upload(await recording(dir, 'wav'), 'audio/wav', undefined, 'viewer')).statusCode).toBe(403);
    expect((await api.app.inject({ url: '/v1/prompts' })).statusCode).toBe(401);
    const first = await api.app.inject({ url: '/v1/prompts?limit=2', headers: api.as('viewer') });
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.items).toHaveLength(2);
    expect(page1.items[0].id).toBeGreaterThan(page1.items[1].id);
    const page2 = (await api.app.inject({ url: `/v1/prompts?limit=2&cursor=${page1.nextCursor}`, headers: api.as('viewer') })).json();
    expect(page2.items[0].id).toBeLessThan(page1.items[1].id);
    const tts = (await api.app.inject({ url: '/v1/prompts?kind=tts', headers: api.as('supervisor') })).json();
    expect(tts.items.map((i: { kind: string }) => i.kind)).toEqual(['tts']);
    expect((await api.app.inject({ url: '/v1/prompts/999999', headers: api.as('viewer') })).statusCode).toBe(404);
  });
});
