import { audit } from '../audit/audit.js';
import type { Principal } from '../auth/roles.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { withTransaction, type Db } from '../store/db.js';
import { cancelWaitingContacts } from '../contacts/contacts.repo.js';
import { getCampaignState, insertCampaign, updateCampaignState, updateDraftCampaign, type Campaign, type CampaignSettings } from './campaign.repo.js';
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
  /** Recorded in the audit row's details when the change did not come through the API ('cli', 'schedule'). */
  via?: string;
}

const viaOf = (opts: { via?: string | undefined }): Record<string, string> => (opts.via ? { via: opts.via } : {});

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

/**
 * Every check a campaign's settings pass before they are saved (schema aside): the pure ones
 * (zone, window) and the ones against the store. Schedules check their template with it too.
 */
export async function checkCampaignSettings<T extends Partial<CampaignSettings>>(c: Queryable, raw: T, opts: CampaignSaveOptions = {}): Promise<T> {
  return checkAgainstStore(c, normalizeCampaign(raw), opts);
}

/** createCampaign inside the caller's transaction (a schedule's run creates its campaign with the run). */
export async function createCampaignIn(
  c: Queryable,
  principal: Principal | null,
  raw: Partial<CampaignSettings> & { name: string },
  opts: CampaignSaveOptions = {},
): Promise<Campaign> {
  const input = await checkCampaignSettings(c, raw, opts);
  const campaign = await insertCampaign(c, input);
  await audit(c, principal, 'campaign.create', { type: 'campaign', id: campaign.id }, { fields: changedFields(input), ...viaOf(opts) });
  return campaign;
}

export async function createCampaign(
  db: Db,
  principal: Principal | null,
  raw: Partial<CampaignSettings> & { name: string },
  opts: CampaignSaveOptions = {},
): Promise<Campaign> {
  return withTransaction(db, (c) => createCampaignIn(c, principal, raw, opts));
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
export async function changeCampaignState(
  db: Db,
  principal: Principal | null,
  id: number,
  action: CampaignAction,
  opts: { via?: string } = {},
): Promise<Campaign> {
  return withTransaction(db, (c) => changeCampaignStateIn(c, principal, id, action, opts));
}

/** changeCampaignState inside the caller's transaction. */
export async function changeCampaignStateIn(
  c: Queryable,
  principal: Principal | null,
  id: number,
  action: CampaignAction,
  opts: { via?: string } = {},
): Promise<Campaign> {
  const to = targetOf(action);
  const updated = await updateCampaignState(c, id, allowedFrom(action), to);
  if (!updated) {
    const now = await getCampaignState(c, id);
    if (now === null) throw new NotFoundError('campaign', id);
    const t = transition(now, action);
    throw new ConflictError('invalid_transition', `cannot ${action} a ${now} campaign`, { from: t.from, to: t.to, action });
  }
  const details: Record<string, unknown> = { to, ...viaOf(opts) };
  if (to === 'cancelled') details['cancelledContacts'] = await cancelWaitingContacts(c, id);
  await audit(c, principal, `campaign.${action}`, { type: 'campaign', id }, details);
  return updated;
}
