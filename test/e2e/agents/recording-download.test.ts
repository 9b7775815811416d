import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRecording } from '../../../src/agents/recordings.repo.js';
import { createAgent, hangup, ringAndAnswer, seedAttempt, startAgentsHarness, startSoftphone, until, type AgentsHarness } from './agents-harness.js';

// A conversation recorded by Asterisk itself (a mixing bridge with the agent's answered leg,
// recorded as the bridge does it), its row written with the bridge's own store function, then
// found and downloaded through the API from RINGWISE_RECORDING_DIR: the host path of the folder
// Asterisk writes in the chroot. Every download leaves an audit row.
let h: AgentsHarness;
let file: string | undefined;
let bridgeId: string | undefined;

beforeAll(async () => {
  h = await startAgentsHarness({ wrapUpSeconds: 1 });
});
afterAll(async () => {
  if (bridgeId) await h.ari.destroyBridge(bridgeId).catch(() => undefined);
  if (file) await rm(file, { force: true });
  await h?.close();
});

describe('recordings made by Asterisk, served by the API', () => {
  it('a recorded bridge is listed by attempt and downloaded byte for byte as WAV; the download is audited', async () => {
    const a = await createAgent(h, 'rwt-agent-recording');
    await startSoftphone(h, a, 5293, 'answer');
    await until(
      'registered',
      async () => (await h.api.app.inject({ method: 'GET', url: '/v1/agents/me', headers: a.auth })).json(),
      (x) => x.registered === true,
    );
    const attempt = await seedAttempt(h, a.id);
    const channel = await ringAndAnswer(h, a.user);
    bridgeId = attempt;
    await h.ari.createBridge({ type: 'mixing', bridgeId });
    await h.ari.addChannel(bridgeId, channel);
    await h.ari.recordBridge(bridgeId, { name: attempt, format: 'wav', ifExists: 'overwrite' });
    await h.ariLog.waitFor(
      (e) => e.type === 'RecordingStarted' && (e as { recording?: { name?: string } }).recording?.name === attempt,
      10_000,
      'RecordingStarted',
    );
    await hangup(h, channel);
    await h.ariLog.waitFor(
      (e) => e.type === 'RecordingFinished' && (e as { recording?: { name?: string } }).recording?.name === attempt,
      10_000,
      'RecordingFinished',
    );

    const dir = h.api.deps.config.paths.recordingDir;
    file = join(dir, `${attempt}.wav`);
    const { size } = await stat(file);
    await insertRecording(h.api.t.db, attempt, `${attempt}.wav`, size);

    const list = await h.api.app.inject({ method: 'GET', url: `/v1/recordings?attemptId=${attempt}`, headers: h.api.as('supervisor') });
    expect(list.json().items).toHaveLength(1);
    const rec = list.json().items[0] as { id: number; bytes: number; agentId: number };
    expect(rec).toMatchObject({ bytes: size, agentId: a.id });
    const dl = await h.api.app.inject({ method: 'GET', url: `/v1/recordings/${rec.id}/audio`, headers: h.api.as('supervisor') });
    expect(dl.statusCode).toBe(200);
    expect(Buffer.compare(dl.rawPayload, await readFile(file))).toBe(0);
    expect(dl.rawPayload.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(dl.rawPayload.subarray(8, 12).toString('latin1')).toBe('WAVE');
    expect((await h.api.app.inject({ method: 'GET', url: `/v1/recordings/${rec.id}/audio`, headers: a.auth })).statusCode).toBe(403);
    const audit = await h.api.t.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'recording.download' AND target_id = $1`, [String(rec.id)]);
    expect(audit.rows[0].n).toBe(1);
  });
});
