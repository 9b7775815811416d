import { audit } from '../api/audit.js';
import type { Principal } from '../api/roles.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { withTransaction, type Db } from '../store/db.js';
import {
  cancelWaitingContacts,
  getCampaignState,
  insertCampaign,
  updateCampaignState,
  updateDraftCampaign,
  type Campaign,
  type CampaignSettings,
} from './campaign.repo.js';
import { allowedFrom, targetOf, transition, type CampaignAction } from './campaign.state.js';
import { normalizeCampaign } from './campaign.validate.js';

/** Field names only: settings may hold a caller id, which is not for the audit log. */
function changedFields(input: Partial<CampaignSettings>): string[] {
  return Object.keys(input).filter((k) => input[k as keyof CampaignSettings] !== undefined);
}

export async function createCampaign(db: Db, principal: Principal | null, raw: Partial<CampaignSettings> & { name: string }): Promise<Campaign> {
  const input = normalizeCampaign(raw);
  return withTransaction(db, async (c) => {
    const campaign = await insertCampaign(c, input);
    await audit(c, principal, 'campaign.create', { type: 'campaign', id: campaign.id }, { fields: changedFields(input) });
    return campaign;
  });
}

export async function patchCampaign(db: Db, principal: Principal | null, id: number, raw: Partial<CampaignSettings>): Promise<Campaign> {
  const patch = normalizeCampaign(raw);
  return withTransaction(db, async (c) => {
    const updated = await updateDraftCampaign(c, id, patch);
    if (!updated) {
      const state = await getCampaignState(c, id);
      if (state === null) throw new NotFoundError('campaign', id);
      throw new ConflictError('campaign_not_editable', `campaign ${id} is ${state}; only draft campaigns can be edited`, { state });
    }
    await audit(c, principal, 'campaign.update', { type: 'campaign', id }, { fields: changedFields(patch) });
    return updated;
  });
}

/**
 * Applies a state-machine action race-safely (the UPDATE only matches allowed states) and
 * audits it in the same transaction. Callers tell the dialer after this returns (after
 * commit). The dialer itself calls this with `complete` (principal null) when a campaign
 * runs out of work.
 */
export async function changeCampaignState(db: Db, principal: Principal | null, id: number, action: CampaignAction): Promise<Campaign> {
  const to = targetOf(action);
  return withTransaction(db, async (c) => {
    const updated = await updateCampaignState(c, id, allowedFrom(action), to);
    if (!updated) {
      const now = await getCampaignState(c, id);
      if (now === null) throw new NotFoundError('campaign', id);
      const t = transition(now, action);
      throw new ConflictError('invalid_transition', `cannot ${action} a ${now} campaign`, { from: t.from, to: t.to, action });
    }
    const details: Record<string, unknown> = { to };
    if (to === 'cancelled') details['cancelledContacts'] = await cancelWaitingContacts(c, id);
    await audit(c, principal, `campaign.${action}`, { type: 'campaign', id }, details);
    return updated;
  });
}
