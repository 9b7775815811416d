import { expect } from 'vitest';
import type { Harness } from '../dialer/dialer-harness.js';

export interface LedgerRow {
  id: string;
  contactId: string;
  customerId: string;
  attemptNo: number;
  state: string;
  outcome: string | null;
  endReason: string | null;
  originatedAt: Date | null;
  answeredAt: Date | null;
  firstAudioAt: Date | null;
  endedAt: Date | null;
}

export async function ledger(h: Harness, campaignId: string): Promise<LedgerRow[]> {
  const r = await h.tdb.db.query<LedgerRow>(
    `SELECT id, contact_id::text AS "contactId", customer_id::text AS "customerId", attempt_no AS "attemptNo", state, outcome,
            end_reason AS "endReason", originated_at AS "originatedAt", answered_at AS "answeredAt",
            first_audio_at AS "firstAudioAt", ended_at AS "endedAt"
       FROM call_attempts WHERE campaign_id = $1 ORDER BY contact_id, attempt_no`,
    [campaignId],
  );
  return r.rows;
}

export interface HealedSummary {
  attempts: number;
  lost: number;
  retriedLost: number;
  notDialled: number;
  outcomes: Record<string, number>;
}

/**
 * What every fault test asserts once the campaign has converged: it completed; no attempt is
 * open and no contact stuck; no customer had two calls at once; no attempt was originated twice
 * (from the workers' logs); every call lost on our side was retried per the `lost` policy; no
 * answered call was recorded as a failed originate or left without the prompt (unless our side
 * lost it, and then it was retried).
 */
export async function assertHealed(h: Harness, campaignId: string, o: { originated: string[]; lostMaxRetries: number }): Promise<HealedSummary> {
  const db = h.tdb.db;
  const state = (await db.query<{ state: string }>(`SELECT state FROM campaigns WHERE id = $1`, [campaignId])).rows[0]!.state;
  expect(state).toBe('completed');
  const rows = await ledger(h, campaignId);
  expect(rows.filter((r) => r.state !== 'ended')).toEqual([]);
  const stuck = await db.query(`SELECT id, state FROM campaign_contacts WHERE campaign_id = $1 AND state IN ('pending', 'queued', 'deferred', 'dialing')`, [
    campaignId,
  ]);
  expect(stuck.rows).toEqual([]);

  // Never two live calls to one customer: each dial's [originated, ended] is apart from the next.
  const dials = rows.filter((r) => r.originatedAt !== null);
  const byCustomer = new Map<string, LedgerRow[]>();
  for (const r of dials) byCustomer.set(r.customerId, [...(byCustomer.get(r.customerId) ?? []), r]);
  for (const calls of byCustomer.values()) {
    calls.sort((a, b) => a.originatedAt!.getTime() - b.originatedAt!.getTime());
    for (let i = 1; i < calls.length; i++) expect(calls[i]!.originatedAt!.getTime()).toBeGreaterThanOrEqual(calls[i - 1]!.endedAt!.getTime());
  }

  // No channel created twice for one attempt.
  const seen = new Map<string, number>();
  for (const id of o.originated) seen.set(id, (seen.get(id) ?? 0) + 1);
  expect([...seen].filter(([, n]) => n > 1)).toEqual([]);

  // Every lost call retried per its policy (here: up to lostMaxRetries lost calls per contact).
  const lost = rows.filter((r) => r.endReason === 'lost' || r.endReason === 'shutdown');
  let retriedLost = 0;
  for (const l of lost) {
    const mine = rows.filter((r) => r.contactId === l.contactId);
    const lostBefore = mine.filter((r) => r.attemptNo <= l.attemptNo && (r.endReason === 'lost' || r.endReason === 'shutdown')).length;
    const later = mine.some((r) => r.attemptNo > l.attemptNo && r.originatedAt !== null);
    if (lostBefore <= o.lostMaxRetries) {
      expect(later, `lost attempt ${l.id} (contact ${l.contactId}) was retried`).toBe(true);
      retriedLost++;
    }
  }

  // No answered call recorded as a failed originate, or answered and never given the prompt.
  expect(rows.filter((r) => r.answeredAt !== null && (r.endReason === 'originate_failed' || r.endReason === 'not_dialled'))).toEqual([]);
  const silent = rows.filter((r) => r.answeredAt !== null && r.firstAudioAt === null && r.endReason !== 'lost' && r.endReason !== 'shutdown');
  expect(silent).toEqual([]);

  const outcomes: Record<string, number> = {};
  for (const r of rows) outcomes[`${r.outcome ?? 'none'}/${r.endReason ?? '-'}`] = (outcomes[`${r.outcome ?? 'none'}/${r.endReason ?? '-'}`] ?? 0) + 1;
  return { attempts: rows.length, lost: lost.length, retriedLost, notDialled: rows.filter((r) => r.endReason === 'not_dialled').length, outcomes };
}
