/**
 * Time zones for tests that must run at any hour: calls are only placed inside the calling
 * window in the customer's own zone, so a fixed zone (Asia/Shanghai) makes a test pass by day and
 * time out by night.
 */

/** Whole hours east of UTC of a zone whose local hour is `hour` now (-12..14, as real zones). */
export function offsetForHour(hour: number, now = new Date()): number {
  let n = hour - now.getUTCHours();
  if (n < -12) n += 24;
  if (n > 14) n -= 24;
  return n;
}

/** An IANA zone whose local hour is `hour` now; its minutes are UTC's (Etc/GMT-N is UTC+N: the sign is inverted). */
export function zoneAtHour(hour: number, now = new Date()): string {
  const n = offsetForHour(hour, now);
  return n === 0 ? 'Etc/GMT' : n > 0 ? `Etc/GMT-${n}` : `Etc/GMT+${-n}`;
}
