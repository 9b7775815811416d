import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { COUNTRY_ZONES } from './country-zones.data.js';

export interface ResolvedZones {
  readonly zones: readonly string[];
  readonly source: 'customer' | 'phone_country' | 'unknown';
  /** Country of the dialed number (holiday calendar), when it can be told. */
  readonly country: string | null;
}

export function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
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
