import Holidays from 'date-holidays';
import type { HolidayCalendar } from './policy.types.js';

/**
 * Public holidays from date-holidays (type `public` only: not bank, school, optional or
 * observance days). A holiday marks its whole local date, and every date it spans, even when
 * date-holidays says it starts at noon (half days such as CN Youth Day): stricter is safe.
 * Memoised per country and year; create one per process and pass it down.
 */
export function createHolidayCalendar(): HolidayCalendar {
  const byCountry = new Map<string, Holidays | null>();
  let supported: ReadonlySet<string> | undefined;
  const byYear = new Map<string, ReadonlySet<string>>();

  const calendar = (country: string): Holidays | null => {
    if (!byCountry.has(country)) {
      supported ??= new Set(Object.keys(new Holidays().getCountries()));
      byCountry.set(country, supported.has(country) ? new Holidays(country, { types: ['public'] }) : null);
    }
    return byCountry.get(country) ?? null;
  };

  const dates = (country: string, year: number): ReadonlySet<string> => {
    const key = `${country}:${year}`;
    let set = byYear.get(key);
    if (!set) {
      const out = new Set<string>();
      const hd = calendar(country);
      for (const h of hd ? hd.getHolidays(year) : []) {
        if (h.type !== 'public') continue;
        const first = h.date.slice(0, 10);
        const spanDays = Math.max(1, Math.ceil((h.end.getTime() - h.start.getTime()) / 86_400_000));
        const d0 = Date.parse(`${first}T00:00:00Z`);
        for (let i = 0; i < spanDays; i++) out.add(new Date(d0 + i * 86_400_000).toISOString().slice(0, 10));
      }
      set = out;
      byYear.set(key, set);
    }
    return set;
  };

  return {
    isHoliday(country: string, isoDate: string): boolean {
      const year = Number(isoDate.slice(0, 4));
      // A holiday spanning New Year is listed under the year it starts.
      return dates(country, year).has(isoDate) || dates(country, year - 1).has(isoDate);
    },
  };
}
