import { Type } from '@sinclair/typebox';
import { applyAgentEvent, publishAgentEvent, stateEvent } from '../agents/agent.service.js';
import { getAgent, type AgentRow } from '../agents/agents.repo.js';
import {
  DISPOSITION_KINDS,
  hasDisposition,
  insertDisposition,
  selectAttemptForDisposition,
  type AttemptForDisposition,
  type DispositionKind,
} from '../agents/dispositions.repo.js';
import { getCampaignState, reopenCompletedCampaign } from '../campaigns/campaign.repo.js';
import { nextAttemptNo } from '../calls/attempts.repo.js';
import { queueContactForCallback } from '../contacts/contacts.repo.js';
import { checkEligibility } from '../compliance/eligibility.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { withTransaction } from '../store/db.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { audit } from '../audit/audit.js';
import { requireRole } from '../auth/auth.js';
import { recomputeRiskQuietly } from '../risk/risk.service.js';
import { ErrorResponses, Nullable, StringEnum } from './schemas.js';

const closed = { additionalProperties: false } as const;
const DAY_MS = 86_400_000;
/** A promise further out than this is not a promise a collector can act on. */
const MAX_PROMISE_DAYS = 366;

const Body = Type.Object(
  {
    kind: StringEnum(DISPOSITION_KINDS),
    amount: Type.Optional(Type.String({ pattern: '^[0-9]{1,12}(\\.[0-9]{1,2})?$', description: 'promise_to_pay: decimal string, money is never a float' })),
    date: Type.Optional(Type.String({ format: 'date', description: 'promise_to_pay: the day the customer promised to pay' })),
    callbackAt: Type.Optional(Type.String({ format: 'date-time', description: 'callback: must be allowed by the compliance policy' })),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  closed,
);

const DispositionResponse = Type.Object(
  {
    id: Type.Integer(),
    attemptId: Type.String(),
    agentId: Nullable(Type.Integer()),
    kind: Type.String(),
    amount: Nullable(Type.String()),
    date: Nullable(Type.String()),
    callbackAt: Nullable(Type.String({ format: 'date-time' })),
    note: Nullable(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
    agentState: Nullable(Type.String({ description: "the agent's state after saving (wrap-up ends here)" })),
    callbackQueued: Type.Boolean({ description: 'callback: a dial of this customer is queued for callbackAt (it passes the compliance gate again then)' }),
  },
  closed,
);

type BodyT = { kind: DispositionKind; amount?: string; date?: string; callbackAt?: string; note?: string };

/** Which fields each kind takes: a stray field is refused rather than silently stored. */
function checkFields(b: BodyT, now: Date): void {
  const allowed: Record<DispositionKind, ReadonlyArray<keyof BodyT>> = {
    promise_to_pay: ['amount', 'date'],
    callback: ['callbackAt'],
    paid: ['amount'],
    dispute: [],
    wrong_party: [],
    refused: [],
  };
  for (const f of ['amount', 'date', 'callbackAt'] as const) {
    if (b[f] !== undefined && !allowed[b.kind].includes(f)) throw new ValidationError(`${f} does not apply to ${b.kind}`, { field: f }, 'field_not_allowed');
  }
  if (b.kind === 'promise_to_pay') {
    if (b.amount === undefined) throw new ValidationError('promise_to_pay needs an amount', { field: 'amount' }, 'amount_required');
    if (b.date === undefined) throw new ValidationError('promise_to_pay needs a date', { field: 'date' }, 'date_required');
    const day = Date.parse(`${b.date}T00:00:00Z`);
    // A day of slack either way: the customer's calendar may be ahead of or behind UTC.
    if (day < now.getTime() - 2 * DAY_MS) throw new ValidationError('the promised date is in the past', { field: 'date' }, 'date_in_past');
    if (day > now.getTime() + MAX_PROMISE_DAYS * DAY_MS)
      throw new ValidationError(`the promised date is more than ${MAX_PROMISE_DAYS} days ahead`, { field: 'date' }, 'date_too_far');
  }
  if ((b.kind === 'promise_to_pay' || b.kind === 'paid') && b.amount !== undefined && Number(b.amount) <= 0) {
    throw new ValidationError('amount must be positive', { field: 'amount' }, 'amount_not_positive');
  }
  if (b.kind === 'callback') {
    if (b.callbackAt === undefined) throw new ValidationError('callback needs callbackAt', { field: 'callbackAt' }, 'callback_at_required');
    if (Date.parse(b.callbackAt) <= now.getTime()) throw new ValidationError('callbackAt is in the past', { field: 'callbackAt' }, 'callback_in_past');
  }
}

interface CallbackPlan {
  campaignId: string;
  contactId: string;
  attemptNo: number;
  at: Date;
}

/**
 * A callback on a campaign's call becomes that contact's next attempt. Its job is queued before
 * the disposition is saved: the id is deterministic (asking twice adds one job), and a job whose
 * save then failed finds its contact settled and dials nothing. A call outside any campaign (or
 * an API without a queue) only records the callback.
 */
async function planCallback(deps: ApiDeps, attempt: AttemptForDisposition, at: Date): Promise<CallbackPlan | null> {
  const queue = deps.events?.callbackRequested;
  if (attempt.campaignId === null || attempt.contactId === null || !queue) return null;
  // A second disposition is refused in the save below; it must not queue a dial first.
  if (await hasDisposition(deps.db, attempt.id))
    throw new ConflictError('disposition_exists', 'this call already has a disposition', { attemptId: attempt.id });
  const campaignId = String(attempt.campaignId);
  const state = await getCampaignState(deps.db, campaignId);
  if (state === 'cancelled') throw new ConflictError('campaign_cancelled', 'the campaign was cancelled: no callback can be dialed for it', { campaignId });
  const plan = { campaignId, contactId: String(attempt.contactId), attemptNo: await nextAttemptNo(deps.db, String(attempt.contactId)), at };
  await queue(plan);
  return plan;
}

/** What the agent concluded on a call; saving it ends the agent's wrap-up at once. */
export async function dispositionsRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  app.post(
    '/v1/calls/:id/disposition',
    {
      preHandler: requireRole('supervisor', 'agent'),
      schema: {
        tags: ['calls', 'agents'],
        summary: 'Save the outcome of a call an agent took (the agent on the call, or a supervisor); ends wrap-up',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }, closed),
        body: Body,
        response: { 201: DispositionResponse, ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const b = req.body as BodyT;
      const now = new Date();
      checkFields(b, now);
      const attempt = await selectAttemptForDisposition(deps.db, req.params.id);
      const p = req.principal;
      const agentId = attempt ? (attempt.agentId ?? attempt.currentAgentId) : null;
      // Someone else's call answers like one that does not exist: an agent key cannot probe ids.
      if (!attempt || (p.role === 'agent' && (p.agentId === null || p.agentId !== agentId))) throw new NotFoundError('call', req.params.id);
      const callbackAt = b.callbackAt !== undefined ? new Date(b.callbackAt) : null;
      if (callbackAt) {
        // The callback is a future dial: it must pass the same policy any dial passes.
        const e = await checkEligibility(deps.db, {
          customerId: attempt.customerId,
          campaignId: attempt.campaignId ?? undefined,
          at: callbackAt,
          defaultProfile: deps.config.policyProfile,
        });
        const d = e.decision;
        if (d.kind === 'block') throw new ValidationError(`a callback is not allowed: ${d.reason}`, { field: 'callbackAt', rule: d.rule }, 'callback_blocked');
        if (d.kind === 'defer') {
          throw new ValidationError(
            `callbackAt is outside what the policy allows (${d.rule})`,
            { field: 'callbackAt', rule: d.rule, earliestAllowed: d.until.toISOString() },
            'callback_outside_policy',
          );
        }
      }
      const callback = callbackAt ? await planCallback(deps, attempt, callbackAt) : null;
      let agentAfter: AgentRow | null = null;
      let reopened = false;
      const saved = await withTransaction(deps.db, async (c) => {
        let row;
        try {
          row = await insertDisposition(c, {
            attemptId: attempt.id,
            agentId,
            kind: b.kind,
            amount: b.amount ?? null,
            promisedDate: b.date ?? null,
            callbackAt,
            note: b.note ?? null,
            createdBy: p.keyId,
          });
        } catch (err) {
          if ((err as { code?: string }).code === '23505')
            throw new ConflictError('disposition_exists', 'this call already has a disposition', { attemptId: attempt.id });
          throw err;
        }
        if (callback) {
          if (!(await queueContactForCallback(c, callback.contactId, callback.at)))
            throw new ConflictError('callback_contact_closed', 'the customer opted out or the campaign was cancelled: no callback', { attemptId: attempt.id });
          reopened = await reopenCompletedCampaign(c, callback.campaignId);
        }
        await audit(
          c,
          p,
          'call.disposition',
          { type: 'call', id: attempt.id },
          { kind: b.kind, agentId, callbackAt: callbackAt?.toISOString() ?? null, callbackQueued: callback !== null, campaignReopened: reopened },
        );
        if (agentId !== null) {
          const agent = await getAgent(c, agentId, { forUpdate: true });
          // Wrap-up on this call ends now; an agent already on another call is left alone.
          if (agent && agent.state === 'wrap_up' && agent.currentAttemptId === attempt.id) {
            agentAfter = await applyAgentEvent(c, agentId, { type: 'wrap_up_done' }, { attemptId: attempt.id });
          } else {
            agentAfter = agent;
          }
        }
        return row;
      });
      if (reopened) {
        await deps.events
          ?.campaignStateChanged(Number(callback!.campaignId), 'running')
          .catch((err: unknown) => req.log.error({ err, campaignId: callback!.campaignId }, 'campaignStateChanged hook failed'));
      }
      // A promise or any other conclusion changes the customer's risk (never fails the request).
      await recomputeRiskQuietly(
        { db: deps.db, log: deps.log, scorecard: deps.config.risk.scorecard },
        attempt.customerId,
        b.kind === 'promise_to_pay' ? 'promise' : 'disposition',
      );
      const after = agentAfter as AgentRow | null;
      if (after && deps.agents && after.state === 'available') {
        await publishAgentEvent(deps.agents.redis, deps.agents.prefix, after.id, { ...stateEvent(after), reason: 'disposition' }).catch((err: unknown) =>
          req.log.warn({ err, agentId: after.id }, 'state event not published'),
        );
      }
      return reply.status(201).send({
        id: saved.id,
        attemptId: saved.attemptId,
        agentId: saved.agentId,
        kind: saved.kind,
        amount: saved.amount,
        date: saved.promisedDate,
        callbackAt: saved.callbackAt?.toISOString() ?? null,
        note: saved.note,
        createdAt: saved.createdAt.toISOString(),
        agentState: after?.state ?? null,
        callbackQueued: callback !== null,
      });
    },
  );
}
