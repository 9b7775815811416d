import type { AttemptRecord, DecisionInput, HolidayCalendar, Policy } from '../../../src/compliance/policy.types.js';
import { getProfile } from '../../../src/compliance/policy.profiles.js';

export const OPEN: Policy = {
  windowStart: '00:00',
  windowEnd: '24:00',
  allowedWeekdays: [1, 2, 3, 4, 5, 6, 7],
  observeHolidays: false,
  makeupWorkdays: 'by_weekday',
  voicemail: 'hang_up',
  holidayCountry: null,
  maxAttemptsPerDay: null,
  maxConnectedPerDay: null,
  maxAttemptsInRollingDays: null,
  cooldownAfterConversationDays: null,
  minGapMinutes: null,
  maxAttemptsPerContact: null,
  maxAbandonRate: 0.03,
};

export const noHolidays: HolidayCalendar = { isHoliday: () => false };

export function fakeHolidays(dates: Iterable<string>, makeupWorkdays: Iterable<string> = []): HolidayCalendar {
  const set = new Set(dates);
  const makeup = new Set(makeupWorkdays);
  return { isHoliday: (_c, iso) => set.has(iso), isMakeupWorkday: (_c, iso) => makeup.has(iso) };
}

export const at = (iso: string): Date => new Date(iso);

export function attempts(isos: string[], connected = false): AttemptRecord[] {
  return isos.map((iso) => ({ at: new Date(iso), connected }));
}

/** A Chinese mobile customer in Asia/Shanghai under cn-bank, nothing on record. */
export function input(over: Partial<DecisionInput> & { now: Date }): DecisionInput {
  return {
    policy: getProfile('cn-bank'),
    customer: { timeZone: 'Asia/Shanghai', phones: ['+8613800138000'] },
    phone: '+8613800138000',
    history: [],
    dnc: [],
    contactAttempts: 0,
    holidays: noHolidays,
    ...over,
  };
}
