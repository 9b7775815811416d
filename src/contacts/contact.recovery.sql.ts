import type { Queryable } from '../store/db.js';

/**
 * campaign_contacts as the reconciler repairs them: PostgreSQL says what must be dialled, and
 * Redis is rebuilt from it. One function per query.
 */

export interface OpenContact {
  id: string;
  campaignId: string;
  /** The attempt its dial job carries: the ledger's highest for the contact + 1. */
  attemptNo: number;
  /** A retry's delay or a deferral: the job is due then, not now. */
  nextAttemptAt: Date | null;
  /** A contact plan's agent-call step: its dial job hands the answered call to an agent. */
  agent: boolean;
}

/**
 * Contacts of running campaigns waiting for a dial job (`queued`, `deferred`), keyset-paginated
 * by id, left alone for `graceMs` after a change (the job is added before the state is written,
 * but a replica of Redis or a slow add should not be raced). A planned campaign's contacts wait
 * for their plan's job instead (plans/plan-runs.repo.ts: openPlansPage), except while the plan's
 * last step was a call (or agent call) not yet settled: that call's dial job is theirs.
 */
export async function waitingContactsPage(q: Queryable, afterId: string, limit: number, graceMs: number): Promise<OpenContact[]> {
  const r = await q.query<OpenContact>(
    `SELECT cc.id::text, cc.campaign_id::text AS "campaignId", cc.next_attempt_at AS "nextAttemptAt",
            COALESCE((SELECT max(a.attempt_no) FROM call_attempts a WHERE a.contact_id = cc.id), 0) + 1 AS "attemptNo",
            COALESCE(p.channel = 'agent_call', false) AS agent
       FROM campaign_contacts cc JOIN campaigns c ON c.id = cc.campaign_id AND c.state = 'running'
       LEFT JOIN contact_plan_runs r ON r.contact_id = cc.id AND r.ended_at IS NULL AND r.next_step > 0
       CROSS JOIN LATERAL (SELECT c.contact_plan #>> ARRAY['tiers', r.tier, 'steps', (r.next_step - 1)::text, 'channel'] AS channel) p
      WHERE (c.contact_plan IS NULL OR p.channel IN ('call', 'agent_call'))
        AND cc.state IN ('queued', 'deferred') AND cc.id > $1
        AND cc.updated_at < now() - make_interval(secs => $3::float8 / 1000)
      ORDER BY cc.id LIMIT $2`,
    [afterId, limit, graceMs],
  );
  return r.rows;
}

export interface UnsettledContact {
  id: string;
  campaignId: string;
  attemptNo: number;
  outcome: string | null;
  answered: boolean;
  endReason: string | null;
}

/**
 * Contacts still `dialing` whose attempts have all ended (a crash between the ledger's end and
 * the contact's settle, or a settle that failed): with their last attempt, to settle from it.
 */
export async function dialingContactsWithoutLiveCall(q: Queryable, graceMs: number, limit = 500): Promise<UnsettledContact[]> {
  const r = await q.query<UnsettledContact>(
    `SELECT cc.id::text, cc.campaign_id::text AS "campaignId", a.attempt_no AS "attemptNo", a.outcome,
            (a.answered_at IS NOT NULL) AS answered, a.end_reason AS "endReason"
       FROM campaign_contacts cc
       JOIN LATERAL (SELECT * FROM call_attempts x WHERE x.contact_id = cc.id ORDER BY x.attempt_no DESC LIMIT 1) a ON true
      WHERE cc.state = 'dialing' AND a.state = 'ended'
        AND cc.updated_at < now() - make_interval(secs => $1::float8 / 1000)
        AND a.ended_at < now() - make_interval(secs => $1::float8 / 1000)
      ORDER BY cc.id LIMIT $2`,
    [graceMs, limit],
  );
  return r.rows;
}

/** The contact waits for the dial job just (re-)added for it, due at `at`. Not a finished one. */
export async function requeueContact(q: Queryable, contactId: string, at: Date | null): Promise<boolean> {
  const r = await q.query(
    `UPDATE campaign_contacts SET state = 'queued', next_attempt_at = $2, updated_at = now()
      WHERE id = $1 AND state IN ('pending', 'queued', 'deferred', 'dialing')`,
    [contactId, at],
  );
  return (r.rowCount ?? 0) === 1;
}
