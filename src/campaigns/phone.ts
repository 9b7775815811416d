import { isSupportedCountry, ParseError, parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js/max';
import { createFastPath } from './phone.fast-path.js';

/** Why a raw phone number was refused; stable codes for API errors and import row errors. */
export type PhoneErrorCode = 'phone_missing' | 'phone_not_a_number' | 'phone_invalid_country' | 'phone_too_short' | 'phone_too_long' | 'phone_invalid';

export type PhoneResult = { ok: true; e164: string } | { ok: false; code: PhoneErrorCode; message: string };

// Longer than any real number written with spaces, dashes and a prefix: refuse before parsing.
const MAX_RAW_LENGTH = 40;

const MESSAGES: Record<PhoneErrorCode, string> = {
  phone_missing: 'phone number is empty',
  phone_not_a_number: 'not a phone number',
  phone_invalid_country: 'unknown country calling code',
  phone_too_short: 'phone number is too short',
  phone_too_long: 'phone number is too long',
  phone_invalid: 'not a valid phone number for its region',
};

function fail(code: PhoneErrorCode): PhoneResult {
  return { ok: false, code, message: MESSAGES[code] };
}

/**
 * Parses a phone number as typed (national or international, with spaces, dashes, brackets,
 * `00` international prefix) into E.164, using the full ("max") metadata so only numbers that
 * are valid for their region pass. National numbers are read in `defaultRegion` (ISO alpha-2).
 * Extensions are refused: a dialer cannot reach them.
 */
export function toE164(raw: string | null | undefined, defaultRegion: string): PhoneResult {
  const text = (raw ?? '').trim();
  if (text === '') return fail('phone_missing');
  if (text.length > MAX_RAW_LENGTH) return fail('phone_too_long');
  const region = defaultRegion.toUpperCase();
  const fast = fastPath.e164(text, region);
  return fast === null ? slowE164(text, region) : { ok: true, e164: fast };
}

// Compiled patterns only; the same answers as libphonenumber (test/unit/campaigns/phone.fast-path.test.ts).
const fastPath = createFastPath();

/** libphonenumber's full parse: the reference the fast path is tested against. */
export function slowE164(text: string, region: string): PhoneResult {
  const defaultCountry = isSupportedCountry(region) ? (region as CountryCode) : undefined;
  try {
    const parsed = parsePhoneNumberWithError(text, { defaultCountry, extract: false });
    if (parsed.ext) return fail('phone_invalid');
    if (!parsed.isValid()) {
      const possible = parsed.isPossible();
      if (!possible && parsed.nationalNumber.length < 6) return fail('phone_too_short');
      return fail('phone_invalid');
    }
    return { ok: true, e164: parsed.number };
  } catch (err) {
    if (err instanceof ParseError) {
      switch (err.message) {
        case 'INVALID_COUNTRY':
          return fail('phone_invalid_country');
        case 'TOO_SHORT':
          return fail('phone_too_short');
        case 'TOO_LONG':
          return fail('phone_too_long');
        default:
          return fail('phone_not_a_number');
      }
    }
    return fail('phone_not_a_number');
  }
}
