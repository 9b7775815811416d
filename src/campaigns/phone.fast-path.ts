import { getCountries, getCountryCallingCode, Metadata, type CountryCode } from 'libphonenumber-js/max';

/**
 * A fast accept-only path for numbers that are already plain digits: `+<E.164>` or a bare
 * national number of the default region. Profiling the import showed libphonenumber's parse
 * spending most of its time rebuilding `new RegExp(...)` from the metadata for every number
 * (`matchesEntirely`), plus the parse machinery around it. Here the same metadata patterns are
 * compiled once per country, and the same validity rule is applied (general pattern, then any
 * number type whose lengths and pattern match).
 *
 * It only ever says "valid, and this is its E.164". Everything it cannot settle with certainty
 * (shared calling codes such as +1/+7/+44, anything a national or international prefix could be
 * stripped from, any number it does not find valid) returns null and goes to libphonenumber, so
 * refusals and their error codes always come from the slow path. A property test checks that
 * every fast answer equals the slow one.
 */

// Number types in the order libphonenumber's getNumberType tries them; any match means valid.
const TYPES = ['FIXED_LINE', 'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'] as const;

interface NumberingPlan {
  callingCode(): string;
  nationalNumberPattern(): string;
  nationalPrefix(): string | undefined;
  nationalPrefixForParsing(): string | undefined;
  IDDPrefix(): string | undefined;
  hasTypes(): boolean;
  type(t: string): { pattern(): string | undefined; possibleLengths(): number[] | undefined } | undefined;
}

interface CountryRule {
  callingCode: string;
  general: RegExp;
  types: Array<{ re: RegExp; lengths: number[] | undefined }> | null;
  /** Digits that libphonenumber might strip as a national prefix or carrier code. */
  strippable: RegExp | null;
  nationalPrefix: string | null;
  /** The country's international call prefix (for bare digits only). */
  idd: RegExp | null;
}

export interface FastPath {
  /** E.164 when the number is certainly valid, null when only libphonenumber can tell. */
  e164(text: string, region: string): string | null;
}

const E164 = /^\+([1-9]\d{6,14})$/;
const DIGITS = /^\d{6,17}$/;

/** Builds the caches: one per calling code (its single country, or none if shared) and one per country. */
export function createFastPath(): FastPath {
  let byCallingCode: Map<string, CountryCode | null> | null = null;
  const rules = new Map<CountryCode, CountryRule>();

  // Built on first use, not at import: no work for processes that never parse a phone.
  const callingCodes = (): Map<string, CountryCode | null> => {
    if (byCallingCode) return byCallingCode;
    byCallingCode = new Map();
    for (const c of getCountries()) {
      const cc = getCountryCallingCode(c);
      byCallingCode.set(cc, byCallingCode.has(cc) ? null : c);
    }
    return byCallingCode;
  };

  const rule = (country: CountryCode): CountryRule => {
    let r = rules.get(country);
    if (r) return r;
    const m = new Metadata();
    m.selectNumberingPlan(country);
    const plan = m.numberingPlan as unknown as NumberingPlan;
    const npfp = plan.nationalPrefixForParsing();
    const idd = plan.IDDPrefix();
    r = {
      callingCode: plan.callingCode(),
      general: new RegExp(`^(?:${plan.nationalNumberPattern()})$`),
      types: plan.hasTypes()
        ? TYPES.flatMap((t) => {
            const def = plan.type(t);
            const p = def?.pattern();
            return p ? [{ re: new RegExp(`^(?:${p})$`), lengths: def!.possibleLengths() }] : [];
          })
        : null,
      strippable: npfp ? new RegExp(`^(?:${npfp})`) : null,
      nationalPrefix: plan.nationalPrefix() || null,
      idd: idd ? new RegExp(`^(?:${idd})`) : null,
    };
    rules.set(country, r);
    return r;
  };

  const valid = (r: CountryRule, nsn: string): boolean => {
    // A number libphonenumber could read with a national prefix stripped is not settled here.
    if (r.strippable?.test(nsn) || (r.nationalPrefix !== null && nsn.startsWith(r.nationalPrefix))) return false;
    if (!r.general.test(nsn)) return false;
    if (r.types === null) return true;
    return r.types.some((t) => (t.lengths === undefined || t.lengths.includes(nsn.length)) && t.re.test(nsn));
  };

  return {
    e164(text, region) {
      const plus = E164.exec(text);
      if (plus) {
        const digits = plus[1]!;
        const codes = callingCodes();
        // Calling codes are prefix-free: at most one of the 1-3 digit prefixes is one.
        for (let n = 1; n <= 3; n++) {
          const cc = digits.slice(0, n);
          if (!codes.has(cc)) continue;
          const country = codes.get(cc);
          if (!country) return null; // shared by several countries: libphonenumber picks one
          return valid(rule(country), digits.slice(n)) ? text : null;
        }
        return null;
      }
      if (!DIGITS.test(text)) return null;
      const country = region as CountryCode;
      const cc = safeCallingCode(country);
      // Unknown region, or one sharing its calling code (US/CA, GB/GG...): libphonenumber decides.
      if (cc === null || callingCodes().get(cc) !== country) return null;
      const r = rule(country);
      // International prefix or the calling code written without '+': libphonenumber may read
      // either as an international number, so those stay with it.
      if (r.idd?.test(text) || text.startsWith(cc)) return null;
      return valid(r, text) ? `+${cc}${text}` : null;
    },
  };
}

function safeCallingCode(country: CountryCode): string | null {
  try {
    return getCountryCallingCode(country);
  } catch {
    return null;
  }
}
