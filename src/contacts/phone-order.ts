/**
 * Which of a customer's numbers an attempt dials. The campaign names the outcomes after which
 * the next number is tried at once (`nextNumberOn`, e.g. no_answer, busy, invalid_number); after
 * any other outcome a retry dials the same number again. Numbers on the do-not-call list are
 * skipped (the gate checks the chosen one again, under the customer's lock). Pure.
 */
export interface LastAttempt {
  phone: string;
  outcome: string | null;
}

/** The number for the next attempt, or null when none of the customer's numbers may be called. */
export function phoneForAttempt(phones: readonly string[], callable: readonly string[], last: LastAttempt | null, nextOn: readonly string[]): string | null {
  const ok = phones.filter((p) => callable.includes(p));
  if (ok.length === 0) return null;
  if (!last) return ok[0]!;
  const i = phones.indexOf(last.phone);
  const moveOn = last.outcome !== null && nextOn.includes(last.outcome);
  if (!moveOn && i >= 0 && callable.includes(last.phone)) return last.phone;
  // The first callable number after the last one (in the customer's order), else start over.
  const after = phones.slice(i + 1).find((p) => callable.includes(p));
  return after ?? ok[0]!;
}

/** True when this outcome moves on to a number not tried since the first: dial it now, not after the retry delay. */
export function hasNextNumber(phones: readonly string[], callable: readonly string[], dialed: string, outcome: string, nextOn: readonly string[]): boolean {
  if (!nextOn.includes(outcome)) return false;
  const i = phones.indexOf(dialed);
  return phones.slice(i + 1).some((p) => callable.includes(p));
}
