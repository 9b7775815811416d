import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, num, seedCampaign, setCampaignState, waitFor, campaignState, type Harness } from '../dialer/dialer-harness.js';
import { httpGet, sample, startWorkerProcess, type WorkerProcess } from './worker-process.js';

describe('e2e: a `ringwise worker` process serves /healthz, /readyz and /metrics (prom-client)', () => {
  let h: Harness;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await h?.close();
  });

  it('reports every worker metric through a real campaign: originated, ended by outcome, live and ARI/AMI by server, gate timing, pacing waits, queue depths, Node defaults', async () => {
    const w = await startWorkerProcess(h, 1);
    workers.push(w);
    expect(await httpGet(w.port, '/healthz')).toMatchObject({ status: 200 });
    const ready = await waitFor(
      'worker ready',
      async () => {
        const r = await httpGet(w.port, '/readyz');
        return r.status === 200 ? (JSON.parse(r.body) as { checks: Record<string, string> }) : undefined;
      },
      30_000,
    );
    expect(ready.checks).toEqual({ postgres: 'ok', redis: 'ok', 'ari:asterisk-1': 'ok', 'ami:asterisk-1': 'ok' });

    // Five calls at one call a second: pacing makes jobs wait. 9x numbers answer silently (the
    // menu times out after 2 s), 20 is busy.
    const c = await seedCampaign(h, {
      contacts: [{ phone: num('91') }, { phone: num('92') }, { phone: num('93') }, { phone: num('94') }, { phone: num('20') }],
      callsPerSecond: 1,
      maxConcurrent: 5,
    });
    await setCampaignState(h, c.campaignId, 'running');
    // While calls are up, the live gauge of the server shows them.
    const liveSeen = await waitFor(
      'a live call in ringwise_calls_live',
      async () => {
        const v = sample((await httpGet(w.port, '/metrics')).body, 'ringwise_calls_live{server="asterisk-1"}');
        return v !== undefined && v > 0 ? v : undefined;
      },
      60_000,
      100,
    );
    expect(liveSeen).toBeGreaterThan(0);
    await waitFor('campaign completed', async () => (await campaignState(h, c.campaignId)) === 'completed', 90_000);

    const text = await waitFor(
      'all five calls counted as ended',
      async () => {
        const t = (await httpGet(w.port, '/metrics')).body;
        const ended = ['completed', 'answered_unknown', 'answered_human', 'busy'].reduce(
          (n, o) => n + (sample(t, `ringwise_calls_ended_total{outcome="${o}"}`) ?? 0),
          0,
        );
        return ended >= 5 ? t : undefined;
      },
      30_000,
    );
    expect(sample(text, 'ringwise_calls_originated_total{server="asterisk-1"}')).toBe(5);
    expect(sample(text, 'ringwise_calls_ended_total{outcome="busy"}')).toBe(1);
    expect(sample(text, 'ringwise_calls_live{server="asterisk-1"}')).toBe(0);
    expect(sample(text, 'ringwise_ari_connected{server="asterisk-1"}')).toBe(1);
    expect(sample(text, 'ringwise_ami_connected{server="asterisk-1"}')).toBe(1);
    expect(sample(text, 'ringwise_gate_seconds_count{decision="allow"}')).toBe(5);
    expect(sample(text, 'ringwise_gate_seconds_bucket{le="+Inf",decision="allow"}')).toBe(5);
    expect(sample(text, 'ringwise_gate_seconds_sum{decision="allow"}')).toBeGreaterThan(0);
    // 1 call/s for five contacts: later ones were sent back to wait at least once.
    const waits = ['peek', 'acquire', 'token'].reduce((n, stage) => n + (sample(text, `ringwise_pacing_waits_total{stage="${stage}"}`) ?? 0), 0);
    expect(waits).toBeGreaterThan(0);
    expect(text).toMatch(/ringwise_pacing_wait_seconds_count\{stage="(peek|acquire|token)"\} [1-9]/);
    for (const state of ['waiting', 'active', 'delayed', 'failed']) {
      expect(sample(text, `ringwise_queue_jobs{queue="dial",state="${state}"}`)).toBeTypeOf('number');
      expect(sample(text, `ringwise_queue_jobs{queue="campaign",state="${state}"}`)).toBeTypeOf('number');
    }
    expect(sample(text, 'ringwise_queue_jobs{queue="dial",state="active"}')).toBe(0);
    expect(text).toContain('# TYPE process_cpu_seconds_total counter');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text).toContain('process_resident_memory_bytes');
    await w.stop();
  });

  it('/readyz is 503 and names the failing dependency while an AMI cannot be reached', async () => {
    const w = await startWorkerProcess(h, 2, { AMI_PORT: '1' });
    workers.push(w);
    const r = await httpGet(w.port, '/readyz');
    expect(r.status).toBe(503);
    const body = JSON.parse(r.body) as { status: string; checks: Record<string, string> };
    expect(body.status).toBe('not_ready');
    expect(body.checks['ami:asterisk-1']).toMatch(/not connected/);
    expect(body.checks.postgres).toBe('ok');
    expect((await httpGet(w.port, '/healthz')).status).toBe(200);
    expect(sample((await httpGet(w.port, '/metrics')).body, 'ringwise_ami_connected{server="asterisk-1"}')).toBe(0);
    await w.stop();
  });
});
