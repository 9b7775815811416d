import { NANP_ZONE_ROWS } from './nanp-zones.data.js';

/**
 * NANP number → the zones its prefix is used in (Google libphonenumber's time-zone map, see
 * nanp-zones.data.ts). Longest prefix wins, as in libphonenumber's own PrefixTimeZonesMap: an
 * area code that spans zones is split further by exchange where the data knows better. A
 * prefix with several zones keeps exactly those zones: the caller must satisfy all of them.
 */
let byPrefix: Map<string, readonly string[]> | undefined;
let longest = 0;

function table(): Map<string, readonly string[]> {
  if (byPrefix) return byPrefix;
  const m = new Map<string, readonly string[]>();
  for (const [zones, prefixes] of NANP_ZONE_ROWS) {
    const list = Object.freeze(zones.split(' '));
    for (const p of prefixes.split(' ')) {
      m.set(p, list);
      longest = Math.max(longest, p.length);
    }
  }
  byPrefix = m;
  return m;
}

/** Zones for a NANP national number (10 digits, no leading 1), or null when no prefix is known. */
export function nanpZones(nationalNumber: string): readonly string[] | null {
  if (!/^\d{10}$/.test(nationalNumber)) return null;
  const m = table();
  for (let len = Math.min(longest, nationalNumber.length); len >= 3; len--) {
    const zones = m.get(nationalNumber.slice(0, len));
    if (zones) return zones;
  }
  return null;
}

/** Every prefix in the table with its zones (for tests and the eligibility docs). */
export function nanpPrefixes(): ReadonlyMap<string, readonly string[]> {
  return table();
}
