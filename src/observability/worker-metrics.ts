import type { Counter, Gauge, Histogram, Metrics } from './metrics.js';

/**
 * The dial worker's metrics. This module knows only shapes (no scheduler or dialer import), so
 * every feature can record into it without a folder cycle; the worker wires them at start.
 */
export interface WorkerMetrics {
  readonly metrics: Metrics;
  readonly originated: Counter;
  readonly ended: Counter;
  readonly live: Gauge;
  readonly ariConnected: Gauge;
  readonly amiConnected: Gauge;
  readonly gate: Histogram;
  readonly pacingWaits: Counter;
  readonly pacingWaitSeconds: Histogram;
  readonly queueJobs: Gauge;
}

export function createWorkerMetrics(metrics: Metrics): WorkerMetrics {
  return {
    metrics,
    originated: metrics.counter('calls_originated_total', 'customer calls handed to an Asterisk server by this worker', ['server']),
    ended: metrics.counter('calls_ended_total', 'calls this worker placed that ended, by outcome', ['outcome']),
    live: metrics.gauge('calls_live', 'calls this worker drives now, by Asterisk server', ['server']),
    ariConnected: metrics.gauge('ari_connected', '1 while the worker has a websocket to this Asterisk server ARI', ['server']),
    amiConnected: metrics.gauge('ami_connected', '1 while the worker is logged in to this Asterisk server AMI', ['server']),
    gate: metrics.histogram(
      'gate_seconds',
      'compliance gate latency, by decision',
      ['decision'],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    ),
    pacingWaits: metrics.counter(
      'pacing_waits_total',
      'dial jobs sent back to wait by pacing: stage peek (before any work) or acquire (slot or calls/s token)',
      ['stage'],
    ),
    pacingWaitSeconds: metrics.histogram(
      'pacing_wait_seconds',
      'how long pacing asked a dial job to wait',
      ['stage'],
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ),
    queueJobs: metrics.gauge('queue_jobs', 'BullMQ jobs by queue and state (read at scrape time)', ['queue', 'state']),
  };
}

/** Times every gate decision. */
export function timedGate<Req, Res extends { kind: string }>(gate: (r: Req) => Promise<Res>, m: WorkerMetrics): (r: Req) => Promise<Res> {
  return async (r) => {
    const end = m.gate.startTimer();
    try {
      const res = await gate(r);
      end({ decision: res.kind });
      return res;
    } catch (err) {
      end({ decision: 'error' });
      throw err;
    }
  };
}

interface PacerShape<L> {
  tryAcquire(campaignId: string, member: string, limits: L): Promise<number>;
  peek?(campaignId: string, limits: L): Promise<number>;
  takeToken?(campaignId: string, limits: L): Promise<number>;
}

/** Counts the waits pacing hands out (a wrapper: the pacer itself stays pure Redis). */
export function observedPacer<L, P extends PacerShape<L>>(p: P, m: WorkerMetrics): P {
  const note = (stage: string, ms: number) => {
    if (ms <= 0) return ms;
    m.pacingWaits.inc({ stage });
    m.pacingWaitSeconds.observe({ stage }, ms / 1000);
    return ms;
  };
  const own: PacerShape<L> = {
    tryAcquire: async (c, member, limits) => note('acquire', await p.tryAcquire(c, member, limits)),
    ...(p.peek ? { peek: async (c: string, limits: L) => note('peek', await p.peek!(c, limits)) } : {}),
    // The calls-per-second token (taken after the slot, before the gate): where a paced campaign waits most.
    ...(p.takeToken ? { takeToken: async (c: string, limits: L) => note('token', await p.takeToken!(c, limits)) } : {}),
  };
  return Object.assign(Object.create(p) as P, own);
}

/** Queue depths at scrape time. */
export function watchQueueDepths(m: WorkerMetrics, queues: Record<string, { getJobCounts(...states: string[]): Promise<Record<string, number>> }>): void {
  const states = ['waiting', 'active', 'delayed', 'prioritized', 'failed'];
  m.metrics.onCollect(async () => {
    await Promise.all(
      Object.entries(queues).map(async ([queue, q]) => {
        const counts = await q.getJobCounts(...states);
        for (const state of states) m.queueJobs.set({ queue, state }, counts[state] ?? 0);
      }),
    );
  });
}

/** Per-server gauges at scrape time. */
export function watchServers(
  m: WorkerMetrics,
  servers: { names: readonly string[]; liveCalls(): Map<string, number>; ariUp(name: string): boolean; amiUp(name: string): boolean },
): void {
  m.metrics.onCollect(() => {
    const live = servers.liveCalls();
    for (const server of servers.names) {
      m.live.set({ server }, live.get(server) ?? 0);
      m.ariConnected.set({ server }, servers.ariUp(server) ? 1 : 0);
      m.amiConnected.set({ server }, servers.amiUp(server) ? 1 : 0);
    }
  });
}
