import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { nanpZones } from './area-codes.js';
import { COUNTRY_ZONES } from './country-zones.data.js';

/**
 * Where the zones came from, most precise first: the customer's own zone; the number's area
 * code (NANP); its country when the country has one zone; the campaign's default zone (only
 * when it is a zone of the number's country, or the country is unknown); every zone of the
 * country; none.
 */
export type ZoneSource = 'customer' | 'area_code' | 'phone_country' | 'campaign_default' | 'unknown';

export interface ResolvedZones {
  readonly zones: readonly string[];
  readonly source: ZoneSource;
  /** Country of the dialed number (holiday calendar), when it can be told. */
  readonly country: string | null;
}

// Building an Intl.DateTimeFormat to test a zone costs more than the rest of a gate decision;
// the answer never changes, and there are a few hundred zones. Unknown names are not kept
// (they come from customer data, so their number is not bounded).
const validZones = new Set<string>();

export function isValidZone(zone: string): boolean {
  if (validZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  if (validZones.size < 2_000) validZones.add(zone);
  return true;
}

interface PhoneFacts {
  country: string | null;
  /** Zones of the number's own prefix (NANP area code), when known. */
  prefixZones: readonly string[] | null;
}

function phoneFacts(phone: string): PhoneFacts {
  const parsed = parsePhoneNumberFromString(phone);
  if (!parsed) return { country: null, prefixZones: null };
  const prefixZones = parsed.countryCallingCode === '1' ? nanpZones(String(parsed.nationalNumber)) : null;
  return { country: parsed.country ?? null, prefixZones };
}

export function phoneCountry(phone: string): string | null {
  return parsePhoneNumberFromString(phone)?.country ?? null;
}

/**
 * The zones a call must respect (every one of them must allow it). A campaign's default zone
 * is never trusted over the number: a zone outside the number's country is ignored, so a
 * campaign set to New York cannot open Honolulu's customers at 04:00 their time.
 */
export function resolveZones(customerZone: string | null, phone: string, campaignZone: string | null = null): ResolvedZones {
  const { country, prefixZones } = phoneFacts(phone);
  if (customerZone && isValidZone(customerZone)) return { zones: [customerZone], source: 'customer', country };
  const byPrefix = (prefixZones ?? []).filter(isValidZone);
  if (byPrefix.length > 0 && byPrefix.length === prefixZones?.length) return { zones: byPrefix, source: 'area_code', country };
  const countryZones = country ? (COUNTRY_ZONES[country] ?? []).filter(isValidZone) : [];
  if (countryZones.length === 1) return { zones: countryZones, source: 'phone_country', country };
  if (campaignZone && isValidZone(campaignZone) && (countryZones.length === 0 || countryZones.includes(campaignZone))) {
    return { zones: [campaignZone], source: 'campaign_default', country };
  }
  return countryZones.length > 0 ? { zones: countryZones, source: 'phone_country', country } : { zones: [], source: 'unknown', country };
}
