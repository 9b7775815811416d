import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import { explain } from './decide.js';
import { loadDecisionInput } from './gate.js';
import { campaignExists, selectContactByCampaign, selectCustomer, type Id } from './gate.sql.js';
import { loadCampaignRules } from './policy.store.js';
import type { Explanation, HolidayCalendar, Policy } from './policy.types.js';

export interface EligibilityRequest {
  customerId: Id;
  /** Defaults to the customer's preferred (first) number; must be one of theirs. */
  phone?: string | undefined;
  campaignId?: Id | undefined;
  at: Date;
  defaultProfile?: string;
  holidays?: HolidayCalendar;
}

export interface Eligibility extends Explanation {
  customerId: string;
  phone: string;
  campaignId: string | null;
  contactId: string | null;
  at: Date;
  policy: Policy;
}

/**
 * What the gate would answer for this customer at `at`, rule by rule, without reserving
 * anything. Only attempts reserved up to `at` count, so a past instant is judged as it was.
 */
export async function checkEligibility(q: Queryable, r: EligibilityRequest): Promise<Eligibility> {
  const customer = await selectCustomer(q, r.customerId);
  if (!customer) throw new NotFoundError('customer', String(r.customerId));
  const phone = r.phone ?? customer.phones[0]!;
  if (!customer.phones.includes(phone)) throw new ValidationError("phone is not one of the customer's numbers", { field: 'phone' }, 'phone_not_on_customer');
  let contactId: string | null = null;
  if (r.campaignId !== undefined) {
    if (!(await campaignExists(q, r.campaignId))) throw new NotFoundError('campaign', String(r.campaignId));
    contactId = (await selectContactByCampaign(q, r.campaignId, r.customerId))?.id ?? null;
  }
  const { policy, campaignZone } = await loadCampaignRules(q, r.campaignId ?? null, r.defaultProfile);
  const input = await loadDecisionInput(q, { customer, phone, now: r.at, policy, campaignZone, contactId, ...(r.holidays ? { holidays: r.holidays } : {}) });
  const history = input.history.filter((a) => a.at.getTime() <= r.at.getTime());
  const explanation = explain({ ...input, history });
  return { ...explanation, customerId: customer.id, phone, campaignId: r.campaignId === undefined ? null : String(r.campaignId), contactId, at: r.at, policy };
}
