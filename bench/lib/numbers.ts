/**
 * Carrier numbers for load: the sandbox carrier picks its behaviour from the last two digits,
 * and 90-99 answer with no audio at all (the cheapest call). The digits before them make each
 * number, and so each customer, distinct: `+86 138 <6 digits> 9<d>`, a valid CN mobile.
 */
export function loadNumber(i: number): string {
  return `+86138${String(Math.floor(i / 10) % 1_000_000).padStart(6, '0')}9${i % 10}`;
}

/** `+86 138 <6 digits> 0<d>`: the carrier answers, says "hello?" and listens until hung up (a person). */
export function listenerNumber(i: number): string {
  return `+86138${String(Math.floor(i / 10) % 1_000_000).padStart(6, '0')}0${i % 10}`;
}
