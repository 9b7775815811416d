import type { Logger } from '../shared/logger.js';
import { AMD_CONTEXT, type Dialer } from '../dialer/dialer.js';
import { nextAttemptNo, type AttemptRow } from '../calls/attempts.repo.js';
import type { ChannelInfo, PromptPort } from '../dialer/ports.js';
import { channelPlace } from '../dialer/originate.check.js';
import { getDialCampaign, type DialCampaign } from '../campaigns/campaign.repo.js';
import { getDialContact, type DialContact } from '../contacts/contacts.repo.js';
import { callParams } from './call-params.js';
import { decideOrphan } from './reconcile.decide.js';
import { settleContact, type SettleContext } from './settle.js';
import type { Pacer } from './pacing.js';

export interface RecoveryContext extends SettleContext {
  dialer: Dialer;
  renderPrompt: PromptPort;
  workerId: string;
  /** Attempts being recovered by this process right now (a pass, a replayed job, a stray event). */
  recovering: Set<string>;
  /** The channel leases: an adopted call keeps its own (the dead life's) while it lives. */
  pacer?: Pick<Pacer, 'renew' | 'release'>;
}

const LEASE_RENEW_MS = 30_000;

export type Recovery = 'adopted' | 'lost' | 'skipped';

/**
 * One live attempt of this worker that no session of this process drives (a previous life's
 * call after a restart, or a dead worker's it claimed). Asterisk still has the channel → a new
 * session takes it over and the call ends with its real outcome; gone → ended as lost, and the
 * contact retried per its `lost` policy. `channel` is what Asterisk said (undefined: ask it).
 */
export async function recoverLiveAttempt(ctx: RecoveryContext, row: AttemptRow, channel?: ChannelInfo | null): Promise<Recovery> {
  if (ctx.dialer.drives(row.id) || ctx.recovering.has(row.id)) return 'skipped';
  ctx.recovering.add(row.id);
  try {
    const log = ctx.log.child({ attemptId: row.id, campaignId: row.campaignId, contactId: row.contactId, attemptNo: row.attemptNo });
    const ch = channel !== undefined ? channel : await ctx.dialer.ari.getChannel(row.id);
    const campaign = row.campaignId ? await getDialCampaign(ctx.db, row.campaignId) : null;
    const contact = row.contactId ? await getDialContact(ctx.db, row.contactId) : null;
    if (ch && campaign && contact && decideOrphan(ch, AMD_CONTEXT) === 'adopt') {
      const adopted = await adopt(ctx, row, ch, campaign, contact, log).catch((err: unknown) => {
        log.error({ err }, 'adoption failed: ending the call as lost');
        return false;
      });
      if (adopted) return 'adopted';
    }
    if (ch) await ctx.dialer.ari.hangup(row.id).catch(() => undefined);
    if (row.campaignId) await ctx.pacer?.release(row.campaignId, `${row.contactId}:${row.attemptNo}`).catch(() => undefined);
    const ended = await ctx.dialer.endOrphan(row);
    log.warn({ channel: ch ? ch.state : 'gone', ended }, 'live attempt without a session: lost');
    // Settled only as the contact's latest attempt: a later one may already be on its way.
    if (ended && campaign && contact && (await nextAttemptNo(ctx.db, contact.id)) === row.attemptNo + 1) {
      await settleContact(ctx, campaign, contact.id, row.attemptNo, 'failed', row.answeredAt !== null || row.state === 'answered', 'lost');
    }
    return 'lost';
  } finally {
    ctx.recovering.delete(row.id);
  }
}

async function adopt(ctx: RecoveryContext, row: AttemptRow, ch: ChannelInfo, campaign: DialCampaign, contact: DialContact, log: Logger): Promise<boolean> {
  const prompt = await ctx.renderPrompt(campaign.prompt, { ...contact, id: contact.customerId }, contact.locale);
  // The agents module's part (digit 1, high risk). Its high-risk lease is not waited for: the
  // call is already up; without capacity it simply has no agent context.
  const plan = await ctx.dialer.prepareCall({ campaign, contact, attemptNo: row.attemptNo, render: ctx.renderPrompt, log });
  const call = callParams(campaign, contact, row.id, prompt, plan.waitMs > 0 ? undefined : plan.agent, log);
  const place = channelPlace(ch, AMD_CONTEXT);
  // adoptCall registers the session before its first await: from here on the registry has it.
  const done = ctx.dialer.adoptCall(call, {
    state: ch.state,
    ...place,
    originatedAt: row.originatedAt,
    answeredAt: row.answeredAt,
    promptHeard: row.firstAudioAt !== null,
    agentId: row.agentId,
  });
  const member = `${contact.id}:${row.attemptNo}`;
  const renew = setInterval(() => void ctx.pacer?.renew(campaign.id, member).catch(() => undefined), LEASE_RENEW_MS);
  renew.unref();
  void done
    .finally(async () => {
      clearInterval(renew);
      await ctx.pacer?.release(campaign.id, member).catch(() => undefined);
      await plan.release?.().catch(() => undefined);
    })
    .then((r) => settleContact(ctx, campaign, contact.id, row.attemptNo, r.outcome, r.facts.answered, r.facts.endReason))
    .catch((err: unknown) => log.error({ err }, 'adopted call could not be settled'));
  return true;
}
