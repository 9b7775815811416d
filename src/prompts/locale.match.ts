/**
 * The nearest prompt language for a customer's locale. A customer tagged en-GB, en-AU, zh-TW or
 * zh-Hans-CN hears the campaign's English or Chinese prompt: same tag first, then same language
 * and script (zh-TW is Traditional, zh-CN Simplified, by the likely-subtags data Intl.Locale
 * carries), preferring the same region, then the same language in any script (written forms
 * differ, the spoken Mandarin prompt is still understood). A language with no prompt at all has
 * no nearest: the caller says so (an import row error), it does not guess.
 */
interface Parts {
  tag: string;
  language: string;
  script: string | undefined;
  region: string | undefined;
}

// Intl.Locale and its likely-subtags lookup cost ~5 µs a tag, four tags a row: half the CPU of
// a million-row import went here. Tags are few (a file's customers share a handful).
const seen = new Map<string, Parts | null>();
const SEEN_MAX = 1_000;

function parts(tag: string): Parts | null {
  const hit = seen.get(tag);
  if (hit !== undefined) return hit;
  let p: Parts | null;
  try {
    const l = new Intl.Locale(tag.replace(/_/g, '-'));
    const max = l.maximize();
    p = { tag: l.toString(), language: l.language, script: max.script, region: max.region };
  } catch {
    p = null;
  }
  if (seen.size < SEEN_MAX) seen.set(tag, p);
  return p;
}

export function nearestLocale(wanted: string | null | undefined, available: readonly string[]): string | null {
  if (!wanted) return null;
  const w = parts(wanted);
  if (!w) return null;
  const cands = available.map((a) => ({ a, p: parts(a) })).filter((c): c is { a: string; p: Parts } => c.p !== null);
  const exact = cands.find((c) => c.p.tag.toLowerCase() === w.tag.toLowerCase());
  if (exact) return exact.a;
  const sameLanguage = cands.filter((c) => c.p.language === w.language);
  const sameScript = sameLanguage.filter((c) => c.p.script === w.script);
  const pick = sameScript.find((c) => c.p.region === w.region) ?? sameScript[0] ?? sameLanguage.find((c) => c.p.region === w.region) ?? sameLanguage[0];
  return pick?.a ?? null;
}
