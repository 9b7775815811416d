import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { COUNTRY_ZONES } from './country-zones.data.js';

export interface ResolvedZones {
  readonly zones: readonly string[];
  readonly source: 'customer' | 'phone_country' | 'unknown';
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

export function phoneCountry(phone: string): string | null {
  return parsePhoneNumberFromString(phone)?.country ?? null;
}

/**
 * The zones a call must respect: the customer's own zone when known, else every zone of the
 * dialed number's country (the caller must then satisfy all of them), else none (block).
 */
export function resolveZones(customerZone: string | null, phone: string): ResolvedZones {
  const country = phoneCountry(phone);
  if (customerZone && isValidZone(customerZone)) return { zones: [customerZone], source: 'customer', country };
  const zones = country ? (COUNTRY_ZONES[country] ?? []).filter(isValidZone) : [];
  return zones.length > 0 ? { zones, source: 'phone_country', country } : { zones: [], source: 'unknown', country };
}
