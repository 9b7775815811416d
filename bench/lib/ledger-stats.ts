import type { Db } from '../../src/store/db.js';
import type { ProcStats } from './proc.js';
import { dist, peakOverlap, round, type Dist } from './stats.js';

/** One rate step of the ringwise bench, read back from the ledger (call_attempts). */
export interface CpuPerCall {
  worker: number;
  workerTts: number;
  api: number;
  postgres: number;
  asterisk: number;
}

export interface RingwiseStep {
  targetCps: number;
  contacts: number;
  attempts: number;
  outcomes: Record<string, number>;
  /** Attempts that failed or were lost, and contacts never dialed or left unfinished. */
  failed: number;
  lost: number;
  /** The failed and lost attempts by `outcome/end_reason/cause/answered/first audio`, to tell why. */
  failures: Record<string, number>;
  undialed: number;
  finalState: string;
  /** Dials per second over the middle 80 % of originates. */
  sustainedCps: number;
  peakConcurrent: number;
  launchToFirstDialMs: number | null;
  /** Compliance gate + ledger row → the originate request (the dialer's own latency before ARI). */
  reservedToOriginatedMs: Dist;
  originateToAnswerMs: Dist;
  answerToFirstAudioMs: Dist;
  procs: Array<ProcStats & { name: string }>;
  /** Answered calls that never heard their prompt (no first audio). */
  silent: number;
  /** CPU time per attempt, ms, by who paid it (worker: its Node process; workerTts: its espeak-ng and sox children). */
  cpuMsPerCall: CpuPerCall | null;
  /** No failed, lost or undialed attempt, and the campaign completed. */
  ok: boolean;
  /** The sustained rate reached 95 % of the campaign's callsPerSecond. */
  keptUp: boolean;
}

interface Row {
  outcome: string | null;
  endReason: string | null;
  cause: number | null;
  reservedAt: Date | null;
  originatedAt: Date | null;
  answeredAt: Date | null;
  firstAudioAt: Date | null;
  endedAt: Date | null;
}

export async function collectStep(
  db: Db,
  s: { campaignId: number; targetCps: number; contacts: number; launchedAt: Date; finalState: string; procs: Array<ProcStats & { name: string }> },
): Promise<RingwiseStep> {
  const { rows } = await db.query<Row>(
    `SELECT outcome, end_reason AS "endReason", cause, reserved_at AS "reservedAt", originated_at AS "originatedAt",
            answered_at AS "answeredAt", first_audio_at AS "firstAudioAt", ended_at AS "endedAt"
       FROM call_attempts WHERE campaign_id = $1`,
    [s.campaignId],
  );
  const undialed = Number(
    (
      await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM campaign_contacts cc WHERE campaign_id = $1 AND NOT EXISTS (SELECT 1 FROM call_attempts a WHERE a.contact_id = cc.id)`,
        [s.campaignId],
      )
    ).rows[0]!.n,
  );
  const outcomes: Record<string, number> = {};
  for (const r of rows) outcomes[r.outcome ?? 'live'] = (outcomes[r.outcome ?? 'live'] ?? 0) + 1;
  const ms = (a: Date | null, b: Date | null): number[] => (a && b ? [b.getTime() - a.getTime()] : []);
  const lost = rows.filter((r) => r.endReason === 'lost' || r.outcome === null).length;
  // A 9x carrier number answers and stays silent: the only right ending is the menu timeout.
  const failed = rows.filter((r) => r.outcome !== 'completed').length;
  const failures: Record<string, number> = {};
  for (const r of rows.filter((x) => x.outcome !== 'completed' || x.endReason === 'lost')) {
    const key = `${r.outcome ?? 'live'}/${r.endReason ?? '-'}/${r.cause ?? '-'}/${r.answeredAt ? 'answered' : 'unanswered'}/${r.firstAudioAt ? 'audio' : 'no-audio'}`;
    failures[key] = (failures[key] ?? 0) + 1;
  }
  const starts = rows.flatMap((r) => (r.originatedAt ? [r.originatedAt.getTime()] : [])).sort((a, b) => a - b);
  // The middle 80 % of dials: the token bucket's initial burst and the tail are not a sustained rate.
  const lo = Math.floor(starts.length * 0.1);
  const hi = Math.max(lo, Math.ceil(starts.length * 0.9) - 1);
  const span = (starts[hi]! - starts[lo]!) / 1000;
  const sustainedCps = starts.length > 1 && span > 0 ? round((hi - lo) / span) : 0;
  const step: RingwiseStep = {
    targetCps: s.targetCps,
    contacts: s.contacts,
    attempts: rows.length,
    outcomes,
    failed,
    lost,
    failures,
    undialed,
    finalState: s.finalState,
    sustainedCps,
    peakConcurrent: peakOverlap(
      rows.flatMap((r) => (r.originatedAt && r.endedAt ? [[r.originatedAt.getTime(), r.endedAt.getTime()] as [number, number]] : [])),
    ),
    launchToFirstDialMs: starts.length ? starts[0]! - s.launchedAt.getTime() : null,
    reservedToOriginatedMs: dist(rows.flatMap((r) => ms(r.reservedAt, r.originatedAt))),
    originateToAnswerMs: dist(rows.flatMap((r) => ms(r.originatedAt, r.answeredAt))),
    answerToFirstAudioMs: dist(rows.flatMap((r) => ms(r.answeredAt, r.firstAudioAt))),
    procs: s.procs,
    silent: rows.filter((r) => r.answeredAt && !r.firstAudioAt).length,
    cpuMsPerCall: null,
    ok: false,
    keptUp: sustainedCps >= 0.95 * s.targetCps,
  };
  step.ok = failed === 0 && lost === 0 && undialed === 0 && rows.length === s.contacts && s.finalState === 'completed';
  return step;
}
