import type { Queryable } from '../store/db.js';
import { effectivePolicy, validatePolicy } from './policy.merge.js';
import { DEFAULT_PROFILE, getProfile } from './policy.profiles.js';
import { selectGlobalPolicy, selectPolicyAndOverrides, upsertGlobalPolicy, type CampaignRuleRows, type PolicyRow } from './policy.sql.js';
import type { Policy } from './policy.types.js';

export interface GlobalPolicy {
  profile: string;
  policy: Policy;
  /** `config`: no saved policy, the configured profile applies. */
  source: 'database' | 'config';
  updatedAt: Date | null;
  updatedBy: number | null;
}

/** The saved global policy, or the configured profile when none was saved. */
export async function loadGlobalPolicy(q: Queryable, fallbackProfile: string = DEFAULT_PROFILE): Promise<GlobalPolicy> {
  return globalPolicyFrom(await selectGlobalPolicy(q), fallbackProfile);
}

function globalPolicyFrom(row: PolicyRow | null, fallbackProfile: string): GlobalPolicy {
  if (!row) return { profile: fallbackProfile, policy: getProfile(fallbackProfile), source: 'config', updatedAt: null, updatedBy: null };
  // Fields added after the row was saved take the profile's value.
  const base = getProfile(row.profile);
  const policy = validatePolicy({ ...base, ...(row.policy as Partial<Policy>) });
  return { profile: row.profile, policy, source: 'database', updatedAt: row.updatedAt, updatedBy: row.updatedBy };
}

export async function saveGlobalPolicy(q: Queryable, profile: string, policy: Policy, updatedBy: number | null): Promise<GlobalPolicy> {
  getProfile(profile);
  validatePolicy(policy);
  const row = await upsertGlobalPolicy(q, { profile, policy, updatedBy });
  return { profile: row.profile, policy, source: 'database', updatedAt: row.updatedAt, updatedBy: row.updatedBy };
}

/** The policy a campaign's calls obey: the global policy tightened by its overrides. */
export async function loadCampaignPolicy(q: Queryable, campaignId: string | number | null, fallbackProfile: string = DEFAULT_PROFILE): Promise<Policy> {
  return (await loadCampaignRules(q, campaignId, fallbackProfile)).policy;
}

/** The campaign's policy and its default time zone (for customers whose number does not settle it). */
export async function loadCampaignRules(
  q: Queryable,
  campaignId: string | number | null,
  fallbackProfile: string = DEFAULT_PROFILE,
): Promise<{ policy: Policy; campaignZone: string | null }> {
  if (campaignId === null) return { policy: (await loadGlobalPolicy(q, fallbackProfile)).policy, campaignZone: null };
  return campaignRulesFrom(await selectPolicyAndOverrides(q, campaignId), fallbackProfile);
}

/** The campaign's rules from its stored rows (the gate reads them with the contact, in one statement). */
export function campaignRulesFrom(rows: CampaignRuleRows, fallbackProfile: string = DEFAULT_PROFILE): { policy: Policy; campaignZone: string | null } {
  return { policy: effectivePolicy(globalPolicyFrom(rows.global, fallbackProfile).policy, rows.overrides), campaignZone: rows.defaultTimeZone };
}
