import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { nanpPrefixes, nanpZones } from '../../../src/compliance/area-codes.js';
import { COUNTRY_ZONES } from '../../../src/compliance/country-zones.data.js';
import { decide, explain } from '../../../src/compliance/decide.js';
import { getProfile } from '../../../src/compliance/policy.profiles.js';
import { isValidZone } from '../../../src/compliance/zones.js';
import { input } from './fixtures.js';

/*
 * NANP area codes → zones: checked against a brute-force reading of the same table (the
 * longest prefix of the number that the table lists), against known area codes, and through
 * decide(): a number whose prefix spans zones is called only when every one of them allows it.
 */

const table = nanpPrefixes();
const prefixes = [...table.keys()];
const regf = getProfile('us-regf');

/** The oracle: scan every prefix, keep the longest that starts the number. */
function longestPrefixZones(national: string): readonly string[] | null {
  let best: string | null = null;
  for (const p of prefixes) if (national.startsWith(p) && (best === null || p.length > best.length)) best = p;
  return best === null ? null : table.get(best)!;
}

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
/** Ten-digit numbers, half of them built on a prefix the table knows. */
const nationalNumber = fc.oneof(
  digits(10),
  fc.tuple(fc.constantFrom(...prefixes), digits(10)).map(([p, rest]) => (p + rest).slice(0, 10)),
);

describe('NANP area codes', () => {
  it('has hundreds of prefixes, every zone a real IANA zone, and no empty entry', () => {
    expect(table.size).toBeGreaterThan(1500);
    expect(new Set([...table.keys()].map((p) => p.slice(0, 3))).size).toBeGreaterThan(350);
    for (const zones of table.values()) {
      expect(zones.length).toBeGreaterThan(0);
      for (const z of zones) expect(isValidZone(z), z).toBe(true);
    }
  });

  it('knows the area codes everyone knows', () => {
    expect(nanpZones('2125550143')).toEqual(['America/New_York']);
    expect(nanpZones('3105550100')).toEqual(['America/Los_Angeles']);
    expect(nanpZones('3125550100')).toEqual(['America/Chicago']);
    expect(nanpZones('8085550100')).toEqual(['Pacific/Honolulu']);
    expect(nanpZones('4165550100')).toEqual(['America/Toronto']);
    expect(nanpZones('6045550100')).toEqual(['America/Vancouver']);
    expect(nanpZones('7875550100')).toEqual(['America/Puerto_Rico']);
    // Toll-free and malformed numbers settle nothing.
    expect(nanpZones('8005550100')).toBeNull();
    expect(nanpZones('212555')).toBeNull();
  });

  it('answers the longest listed prefix of any ten-digit number (property)', () => {
    fc.assert(
      fc.property(nationalNumber, (n) => {
        expect(nanpZones(n)).toEqual(longestPrefixZones(n));
      }),
      { numRuns: 3000 },
    );
  });

  it('places a number by its area code with source area_code, within the zones of its country (property)', () => {
    const usZones = new Set(COUNTRY_ZONES['US']);
    fc.assert(
      fc.property(nationalNumber, (n) => {
        const zones = nanpZones(n);
        const e = explain(input({ policy: regf, customer: { timeZone: null, phones: [] }, phone: `+1${n}`, now: new Date('2026-06-04T16:00:00Z') }));
        if (zones === null) {
          expect(e.zoneSource).not.toBe('area_code');
          return;
        }
        // libphonenumber-js may not call every listed prefix a valid number; those fall back.
        if (e.zoneSource !== 'area_code') return;
        expect(e.zones).toEqual(zones);
        if (e.country === 'US') for (const z of e.zones) expect(usZones.has(z), `${n} ${z}`).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('calls a number whose prefix spans zones only when every zone is inside 08:00-21:00 (the intersection, property)', () => {
    const multi = prefixes.filter((p) => table.get(p)!.length > 1);
    expect(multi.length).toBeGreaterThan(10);
    const instant = fc
      .integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') })
      .map((t) => Math.floor(t / 60_000) * 60_000);
    fc.assert(
      fc.property(fc.constantFrom(...multi), digits(10), instant, (p, rest, t) => {
        const n = (p + rest).slice(0, 10);
        const e = explain(input({ policy: regf, customer: { timeZone: null, phones: [] }, phone: `+1${n}`, now: new Date(t) }));
        // A longer, single-zone prefix may settle the number: that is the other property.
        if (e.zoneSource !== 'area_code' || e.zones.length === 1) return;
        const everyInside = e.zones.every((z) => {
          const local = DateTime.fromMillis(t, { zone: z });
          const minute = local.hour * 60 + local.minute;
          return minute >= 8 * 60 && minute < 21 * 60;
        });
        expect(decide(input({ policy: regf, customer: { timeZone: null, phones: [] }, phone: `+1${n}`, now: new Date(t) })).kind === 'allow').toBe(everyInside);
      }),
      { numRuns: 1500 },
    );
  });
});
