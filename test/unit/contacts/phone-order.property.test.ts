import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasNextNumber, phoneForAttempt } from '../../../src/contacts/phone-order.js';

const P = ['+8613800000001', '+8613800000002', '+8613800000003'];
const NEXT = ['no_answer', 'busy', 'invalid_number'];

describe('phone order', () => {
  it('first number first; the next after no answer / busy / invalid; the same after anything else', () => {
    expect(phoneForAttempt(P, P, null, NEXT)).toBe(P[0]);
    expect(phoneForAttempt(P, P, { phone: P[0]!, outcome: 'busy' }, NEXT)).toBe(P[1]);
    expect(phoneForAttempt(P, P, { phone: P[1]!, outcome: 'invalid_number' }, NEXT)).toBe(P[2]);
    expect(phoneForAttempt(P, P, { phone: P[2]!, outcome: 'no_answer' }, NEXT)).toBe(P[0]); // start over (a retry)
    expect(phoneForAttempt(P, P, { phone: P[1]!, outcome: 'answered_machine' }, NEXT)).toBe(P[1]);
    // A campaign without the rule keeps the first number, as before.
    expect(phoneForAttempt(P, P, { phone: P[0]!, outcome: 'busy' }, [])).toBe(P[0]);
  });

  it('skips numbers on the do-not-call list; none callable: null', () => {
    expect(phoneForAttempt(P, [P[1]!, P[2]!], null, NEXT)).toBe(P[1]);
    expect(phoneForAttempt(P, [P[0]!, P[2]!], { phone: P[0]!, outcome: 'busy' }, NEXT)).toBe(P[2]);
    expect(phoneForAttempt(P, [P[1]!], { phone: P[0]!, outcome: 'answered_human' }, NEXT)).toBe(P[1]);
    expect(phoneForAttempt(P, [], null, NEXT)).toBeNull();
    expect(hasNextNumber(P, [P[0]!], P[0]!, 'busy', NEXT)).toBe(false);
    expect(hasNextNumber(P, P, P[0]!, 'busy', NEXT)).toBe(true);
    expect(hasNextNumber(P, P, P[2]!, 'busy', NEXT)).toBe(false);
  });

  it('always answers a callable number of the customer, and moves on exactly when the rule says (property)', () => {
    const outcome = fc.constantFrom('no_answer', 'busy', 'invalid_number', 'answered_human', 'failed', 'answered_machine', null);
    fc.assert(
      fc.property(fc.subarray(P), fc.option(fc.record({ phone: fc.constantFrom(...P), outcome })), fc.subarray(NEXT), (callable, last, nextOn) => {
        const got = phoneForAttempt(P, callable, last, nextOn);
        if (callable.length === 0) {
          expect(got).toBeNull();
          return;
        }
        expect(callable).toContain(got);
        if (last && callable.includes(last.phone) && !(last.outcome !== null && nextOn.includes(last.outcome))) expect(got).toBe(last.phone);
        if (last && last.outcome !== null && nextOn.includes(last.outcome) && hasNextNumber(P, callable, last.phone, last.outcome, nextOn)) {
          expect(P.indexOf(got!)).toBeGreaterThan(P.indexOf(last.phone));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
