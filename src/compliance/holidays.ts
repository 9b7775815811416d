import { createRequire } from 'node:module';
import Holidays from 'date-holidays';
import type { HolidayCalendar } from './policy.types.js';

/**
 * The official calendar of China's State Council notices (holidays and 调休 make-up working
 * days), as the chinese-days package publishes them: { holidays: {date: "name"}, workdays:
 * {date: "name"} }. `holidays` lists every day off of a holiday period, weekend days included;
 * `workdays` lists the Saturdays and Sundays that are working days. Update path: the package
 * follows each year's notice (usually published in November): `npm update chinese-days`, then
 * the 2025/2026 tests in test/unit/compliance/holidays.cn.test.ts show what changed.
 */
interface ChineseDays {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}
const loadChineseDays = (): ChineseDays => createRequire(import.meta.url)('chinese-days/dist/chinese-days.json') as ChineseDays;

/**
 * Public holidays from date-holidays (type `public` only: not bank, school, optional or
 * observance days), except for China in the years chinese-days covers, where the official
 * calendar above is used (date-holidays has neither the full holiday periods nor 调休). A holiday
 * marks its whole local date, and every date it spans, even when date-holidays says it starts at
 * noon: stricter is safe. Memoised per country and year; create one per process and pass it down.
 */
export function createHolidayCalendar(): HolidayCalendar {
  const byCountry = new Map<string, Holidays | null>();
  let supported: ReadonlySet<string> | undefined;
  const byYear = new Map<string, ReadonlySet<string>>();
  let cn: { holidays: ReadonlySet<string>; workdays: ReadonlySet<string>; years: ReadonlySet<number> } | undefined;

  const official = () => {
    if (!cn) {
      const data = loadChineseDays();
      const holidays = new Set(Object.keys(data.holidays));
      cn = { holidays, workdays: new Set(Object.keys(data.workdays)), years: new Set([...holidays].map((d) => Number(d.slice(0, 4)))) };
    }
    return cn;
  };
  const officialYear = (country: string, year: number): boolean => country === 'CN' && official().years.has(year);

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
      if (officialYear(country, year)) return official().holidays.has(isoDate);
      // A holiday spanning New Year is listed under the year it starts.
      return dates(country, year).has(isoDate) || (!officialYear(country, year - 1) && dates(country, year - 1).has(isoDate));
    },
    isMakeupWorkday(country: string, isoDate: string): boolean {
      return country === 'CN' && official().workdays.has(isoDate);
    },
    source(country: string, year: number): string {
      return officialYear(country, year) ? 'chinese-days (State Council notice)' : 'date-holidays';
    },
  };
}
