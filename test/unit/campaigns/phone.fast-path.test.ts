import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFastPath } from '../../../src/campaigns/phone.fast-path.js';
import { slowE164, toE164 } from '../../../src/campaigns/phone.js';

// Calling codes chosen to cover single-country plans (86, 49, 33, 852, 81, 39 with its leading
// zeros), shared ones (+1 NANPA, +7, +44) and codes with no country (+800, +999).
const CODES = ['86', '1', '7', '44', '49', '33', '39', '852', '853', '886', '81', '82', '91', '61', '65', '800', '999', '380', '55'];
// National starts that exercise CN's national prefix / carrier codes (0, 1[12]xx, 179xx),
// its international prefix (00) and the calling code written without '+'.
const CN_STARTS = ['13', '15', '18', '19', '17', '14', '16', '10', '11', '12', '179', '0', '00', '86', '2', '5', '9', '400', '800', '95'];
const digits = (min: number, max: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

const e164 = fc.tuple(fc.constantFrom(...CODES), digits(4, 13)).map(([cc, rest]) => `+${cc}${rest}`);
const national = fc.tuple(fc.constantFrom(...CN_STARTS), digits(3, 12)).map(([start, rest]) => `${start}${rest}`);
const region = fc.constantFrom('CN', 'US', 'GB', 'DE', 'HK', 'RU', 'XX', 'IT');

describe('phone fast path', () => {
  it('never disagrees with libphonenumber (E.164 input)', () => {
    const fast = createFastPath();
    fc.assert(
      fc.property(e164, region, (text, r) => {
        const f = fast.e164(text, r);
        if (f !== null) expect(slowE164(text, r)).toEqual({ ok: true, e164: f });
        expect(toE164(text, r)).toEqual(slowE164(text, r));
      }),
      { numRuns: 20_000 },
    );
  }, 60_000); // thousands of libphonenumber parses: seconds on a loaded machine

  it('never disagrees with libphonenumber (bare national digits)', () => {
    const fast = createFastPath();
    fc.assert(
      fc.property(national, region, (text, r) => {
        const f = fast.e164(text, r);
        if (f !== null) expect(slowE164(text, r)).toEqual({ ok: true, e164: f });
        expect(toE164(text, r)).toEqual(slowE164(text, r));
      }),
      { numRuns: 20_000 },
    );
  }, 60_000);

  it('settles ordinary valid numbers itself and leaves the rest to libphonenumber', () => {
    const fast = createFastPath();
    expect(fast.e164('+8613800138000', 'CN')).toBe('+8613800138000');
    expect(fast.e164('13800138000', 'CN')).toBe('+8613800138000');
    expect(fast.e164('+4930123456', 'CN')).toBe('+4930123456');
    expect(fast.e164('+14155552671', 'CN')).toBeNull(); // +1 is shared: slow path
    expect(fast.e164('01065529988', 'CN')).toBeNull(); // national prefix 0: slow path
    expect(fast.e164('008613800138000', 'CN')).toBeNull(); // international prefix: slow path
    expect(fast.e164('+8600000000000', 'CN')).toBeNull(); // invalid: the slow path gives the code
    expect(fast.e164('+86 138 0013 8000', 'CN')).toBeNull(); // punctuation: slow path
  });
});
