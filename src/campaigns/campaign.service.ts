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
import { loadGlobalPolicy } from '../compliance/policy.store.js';
import { validateOverrides } from '../compliance/policy.merge.js';
import { promptIds, validatePrompt } from '../prompts/prompt.template.js';
import { missingPromptIds } from '../prompts/prompts.repo.js';
import { ValidationError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';

export interface CampaignSaveOptions {
  /** The profile that applies while no global policy was saved (config.policyProfile). */
  policyProfile?: string;
}

/**
 * The checks that need the database, inside the saving transaction: overrides may only make
 * the global policy stricter (`override_not_stricter`), audio prompts must exist
 * (`prompt_not_found`). Returns the settings with the prompt's segments typed.
 */
async function checkAgainstStore<T extends Partial<CampaignSettings>>(c: Queryable, s: T, opts: CampaignSaveOptions): Promise<T> {
  if (s.policyOverrides !== undefined && Object.keys(s.policyOverrides).length > 0) {
    validateOverrides((await loadGlobalPolicy(c, opts.policyProfile)).policy, { ...s.policyOverrides });
  }
  if (s.prompt === undefined) return s;
  const prompt = validatePrompt(s.prompt);
  const missing = await missingPromptIds(c, promptIds(prompt));
  if (missing.length > 0) throw new ValidationError(`prompt ${missing.join(', ')} does not exist`, { promptIds: missing }, 'prompt_not_found');
  return { ...s, prompt };
}

/** Field names only: settings may hold a caller id, which is not for the audit log. */
function changedFields(input: Partial<CampaignSettings>): string[] {
  return Object.keys(input).filter((k) => input[k as keyof CampaignSettings] !== undefined);
}

export async function createCampaign(
  db: Db,
  principal: Principal | null,
  raw: Partial<CampaignSettings> & { name: string },
  opts: CampaignSaveOptions = {},
): Promise<Campaign> {
  return withTransaction(db, async (c) => {
    const input = await checkAgainstStore(c, normalizeCampaign(raw), opts);
    const campaign = await insertCampaign(c, input);
    await audit(c, principal, 'campaign.create', { type: 'campaign', id: campaign.id }, { fields: changedFields(input) });
    return campaign;
  });
}

export async function patchCampaign(
  db: Db,
  principal: Principal | null,
  id: number,
  raw: Partial<CampaignSettings>,
  opts: CampaignSaveOptions = {},
): Promise<Campaign> {
  return withTransaction(db, async (c) => {
    const patch = await checkAgainstStore(c, normalizeCampaign(raw), opts);
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
