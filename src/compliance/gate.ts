import { AppError, NotFoundError } from '../shared/errors.js';
import { withTransaction, type Db, type Queryable } from '../store/db.js';
import { decide } from './decide.js';
import { lockCustomer, selectContactWithAttempt, selectDecisionRows, type Id, type LockedCustomer } from './gate.sql.js';
import { markContactHeld } from '../contacts/contacts.repo.js';
import { deleteReservedAttempt, insertReservedAttempt } from '../calls/attempts.repo.js';
import { campaignRulesFrom } from './policy.store.js';
import type { DecisionInput, HolidayCalendar, Policy, RuleName, VoicemailMode } from './policy.types.js';

/** A customer on another call is asked again this much later (any campaign, any phone). */
export const LIVE_CALL_RECHECK_MS = 30_000;

export interface ReserveRequest {
  campaignId: Id;
  contactId: Id;
  customerId: Id;
  attemptNo: number;
  /** The E.164 number about to be dialed. */
  phone: string;
  now: Date;
  workerId: string;
  /**
   * The effective policy. When absent the gate reads the global policy and the campaign's
   * overrides inside its transaction, so a policy change applies to the very next dial.
   */
  policy?: Policy;
  /** With `policy`: the campaign's default zone (otherwise read with the policy). */
  campaignZone?: string | null;
  /** Profile that applies when no global policy was saved (config.policyProfile). */
  defaultProfile?: string;
  holidays?: HolidayCalendar;
}

export type ReserveResult =
  | { kind: 'allow'; attemptId: string; existing: boolean; voicemail?: VoicemailMode }
  | { kind: 'defer'; until: Date; reason: string; rule: RuleName }
  | { kind: 'block'; reason: string; rule: RuleName | 'no_allowed_time' };

const DAY = 86_400_000;

/** How far back the rules of `policy` look, with a day of margin for local-date rules. */
export function historyLookbackMs(policy: Policy): number {
  const days = Math.max(2, (policy.maxAttemptsInRollingDays?.days ?? 0) + 2, (policy.cooldownAfterConversationDays ?? 0) + 2);
  return Math.max(days * DAY, ((policy.minGapMinutes ?? 0) + 1) * 60_000);
}

/** Everything decide() needs about one customer, read with `q` (inside the gate: under the lock). */
export async function loadDecisionInput(
  q: Queryable,
  a: {
    customer: LockedCustomer;
    phone: string;
    now: Date;
    policy: Policy;
    campaignZone?: string | null;
    contactId: Id | null;
    excludeAttemptId?: string | null;
    holidays?: HolidayCalendar;
  },
): Promise<DecisionInput> {
  const { history, dnc, contactAttempts } = await selectDecisionRows(q, {
    customerId: a.customer.id,
    since: new Date(a.now.getTime() - historyLookbackMs(a.policy)),
    excludeId: a.excludeAttemptId ?? null,
    phone: a.phone,
    now: a.now,
    contactId: a.contactId,
  });
  return {
    now: a.now,
    policy: a.policy,
    customer: { timeZone: a.customer.timeZone, phones: a.customer.phones },
    phone: a.phone,
    campaignZone: a.campaignZone ?? null,
    history,
    dnc,
    contactAttempts,
    ...(a.holidays ? { holidays: a.holidays } : {}),
  };
}

/**
 * The gate before every dial, retries and callbacks included. In one transaction: lock the
 * customer, read history, DNC and the contact's attempts, decide, and on allow reserve the
 * attempt in the ledger; racing workers queue on the customer row, so no cap can be exceeded.
 *
 * Idempotent on (contactId, attemptNo): a row past 'reserved' is returned as `existing` with no
 * check (it was dialed; the dialer recovers it). A row still 'reserved' was never dialed, so it
 * is checked again as if new (not counting itself); if it may no longer be dialed — a DNC entry
 * since, the window closed — it is released and the defer or block returned.
 */
export async function reserveAttempt(db: Db, req: ReserveRequest): Promise<ReserveResult> {
  return withTransaction(db, async (tx) => {
    const customer = await lockCustomer(tx, req.customerId);
    if (!customer) throw new NotFoundError('customer', String(req.customerId));
    // Read after the lock: a reservation committed by a racing worker is visible here.
    const contact = await selectContactWithAttempt(tx, req.contactId, req.attemptNo, req.customerId);
    if (!contact || contact.customerId !== String(req.customerId) || contact.campaignId !== String(req.campaignId)) {
      throw new AppError('contact_mismatch', `contact ${req.contactId} is not customer ${req.customerId} in campaign ${req.campaignId}`, 422);
    }
    const existing = contact.attempt;
    if (existing && existing.state !== 'reserved') return { kind: 'allow', attemptId: existing.id, existing: true };

    // Never two live calls to one customer, whatever the profile's gaps: a replayed or parallel
    // job waits until the other call has ended.
    if (contact.liveCall) {
      if (existing) await deleteReservedAttempt(tx, existing.id);
      const until = new Date(req.now.getTime() + LIVE_CALL_RECHECK_MS);
      const reason = 'the customer is on another call';
      await markContactHeld(tx, req.contactId, 'deferred', { rule: 'live_call', detail: reason }, until);
      return { kind: 'defer', until, reason, rule: 'live_call' };
    }
    const { policy, campaignZone } = req.policy
      ? { policy: req.policy, campaignZone: req.campaignZone ?? null }
      : campaignRulesFrom(contact.rules, req.defaultProfile);
    const input = await loadDecisionInput(tx, {
      customer,
      phone: req.phone,
      now: req.now,
      policy,
      campaignZone,
      contactId: req.contactId,
      excludeAttemptId: existing?.id ?? null,
      ...(req.holidays ? { holidays: req.holidays } : {}),
    });
    const decision = decide(input);

    if (decision.kind === 'allow') {
      if (existing) return { kind: 'allow', attemptId: existing.id, existing: true, voicemail: policy.voicemail };
      const attemptId = await insertReservedAttempt(tx, {
        campaignId: req.campaignId,
        contactId: req.contactId,
        customerId: req.customerId,
        attemptNo: req.attemptNo,
        phone: req.phone,
        workerId: req.workerId,
        reservedAt: req.now,
      });
      return { kind: 'allow', attemptId, existing: false, voicemail: policy.voicemail };
    }
    if (existing) await deleteReservedAttempt(tx, existing.id);
    const held = { rule: decision.rule, detail: decision.reason };
    if (decision.kind === 'defer') {
      await markContactHeld(tx, req.contactId, 'deferred', held, decision.until);
      return decision;
    }
    await markContactHeld(tx, req.contactId, 'blocked', held, null);
    return decision;
  });
}
