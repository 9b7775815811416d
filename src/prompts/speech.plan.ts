import { fieldValues, templateParts, type PromptBank, type PromptCustomer, type PromptField } from './prompt.template.js';
import type { SpeechLocale } from './speak.words.js';

/**
 * A sentence as pieces of speech and pauses. Each `say` is rendered once by the TTS engine and
 * cached (`speech.pieces.ts`); the sentence a customer hears is those pieces joined with the
 * pauses, so a new customer costs a join, not a TTS run. `text` is the part of the filled
 * template the piece stands for (a pause's is the punctuation or space it replaces): joined in
 * order, the texts are exactly `renderText`'s sentence.
 */
export type SpeechPart = { kind: 'say'; text: string } | { kind: 'pause'; ms: number; text: string };

/**
 * Pause lengths (ms) between pieces. espeak-ng's own silences (~350 ms after every utterance) are
 * trimmed off each piece but for a few ms (`TRIM_MARGIN_MS`, 35 ms between two pieces). A word
 * said alone is longer than inside a sentence, so the gaps are short: measured on the bench's
 * prompts, a joined sentence lasts 10–25 % longer than espeak-ng saying it whole.
 */
export const PAUSE_MS = {
  /** . ! ? 。 ！ ？ … */
  sentence: 300,
  /** , ; : ， ； ： 、 and dashes */
  clause: 150,
  /** a space (or hyphen) between words */
  word: 20,
  /** no separator at all: Mandarin syllables, a field right after a phrase (您好{name}) */
  join: { 'zh-CN': 0, 'en-US': 20 } as Record<SpeechLocale, number>,
} as const;

const SENTENCE_END = /[.!?。！？…]/u;
const CLAUSE = /[,;:，；：、—–()（）]/u;
/** Where a fixed phrase is cut: punctuation that makes a pause (with the spaces around it), never inside words. */
const PHRASE_BREAK = /\s*[.!?。！？…,;:，；：、—–()（）"“”«»「」]+\s*|^\s+|\s+$/gu;
/**
 * A variable field's words: each Han character alone (Mandarin numbers, dates and names are
 * syllables: a closed vocabulary of a few thousand), else a run of letters/digits/apostrophes
 * (English number words, a name's parts).
 */
const FIELD_WORD = /\p{Script=Han}|[\p{L}\p{N}\p{M}'’]+/gu;

function pauseFor(sep: string, locale: SpeechLocale): number {
  if (SENTENCE_END.test(sep)) return PAUSE_MS.sentence;
  if (CLAUSE.test(sep)) return PAUSE_MS.clause;
  if (sep.length > 0) return PAUSE_MS.word;
  return PAUSE_MS.join[locale];
}

/** Splits `text` at the matches of `cut` (global regex): the matches become pauses, the rest pieces. */
function split(text: string, cut: RegExp, keep: 'between' | 'matches', locale: SpeechLocale): SpeechPart[] {
  const out: SpeechPart[] = [];
  let last = 0;
  const gap = (s: string) => out.push({ kind: 'pause', ms: pauseFor(s, locale), text: s });
  for (const m of text.matchAll(cut)) {
    if (keep === 'between') {
      if (m.index > last) out.push({ kind: 'say', text: text.slice(last, m.index) });
      gap(m[0]);
    } else {
      gap(text.slice(last, m.index));
      out.push({ kind: 'say', text: m[0] });
    }
    last = m.index + m[0].length;
  }
  if (keep === 'between') {
    if (last < text.length) out.push({ kind: 'say', text: text.slice(last) });
  } else gap(text.slice(last));
  return out;
}

const SPEAKABLE = /[\p{L}\p{N}]/u;

/**
 * A fixed phrase of the template (or the bank's name): spoken as a whole between its
 * punctuation. A phrase with nothing to say (a lone "-" or "/" between two fields) is a pause.
 */
export function phraseParts(text: string, locale: SpeechLocale): SpeechPart[] {
  return split(text, PHRASE_BREAK, 'between', locale).map((p) =>
    p.kind === 'say' && !SPEAKABLE.test(p.text) ? { kind: 'pause', ms: PAUSE_MS.word, text: p.text } : p,
  );
}

/** A variable value (name, amount, date, number): one piece per word or Han character. */
export function wordParts(text: string, locale: SpeechLocale): SpeechPart[] {
  return split(text, FIELD_WORD, 'matches', locale);
}

/**
 * Joins neighbours: consecutive pauses become one (the longest, texts kept), pieces that touch
 * with nothing between get the locale's join gap, and pauses of no text at the very start or
 * end are dropped (nothing to hear there; a sentence's final "。" still pauses).
 */
export function normalise(parts: readonly SpeechPart[], locale: SpeechLocale): SpeechPart[] {
  const out: SpeechPart[] = [];
  for (const p of parts) {
    const prev = out[out.length - 1];
    if (p.kind === 'pause') {
      if (prev?.kind === 'pause') out[out.length - 1] = { kind: 'pause', ms: Math.max(prev.ms, p.ms), text: prev.text + p.text };
      else out.push(p);
    } else {
      if (prev?.kind === 'say') out.push({ kind: 'pause', ms: PAUSE_MS.join[locale], text: '' });
      out.push(p);
    }
  }
  while (out[0]?.kind === 'pause' && out[0].text === '') out.shift();
  while (out.at(-1)?.kind === 'pause' && out.at(-1)!.text === '') out.pop();
  return out;
}

/** Fields whose value is the same for every customer: spoken as phrases, like the template's own text. */
const PHRASE_FIELDS: ReadonlySet<PromptField> = new Set(['bank_name', 'contact_name']);

/**
 * A TTS template for one customer as pieces and pauses: the template's fixed phrases whole, the
 * customer's fields word by word. Throws what renderText throws (missing or unknown fields).
 */
export function planSpeech(template: string, customer: PromptCustomer, bank: PromptBank, locale: SpeechLocale): SpeechPart[] {
  const values = fieldValues(template, customer, bank, locale);
  const parts: SpeechPart[] = [];
  for (const p of templateParts(template)) {
    if ('literal' in p) parts.push(...phraseParts(p.literal, locale));
    else {
      const value = values.get(p.field) ?? '';
      parts.push(...(PHRASE_FIELDS.has(p.field) ? phraseParts(value, locale) : wordParts(value, locale)));
    }
  }
  return normalise(parts, locale);
}

/** The sentence a plan speaks (equal to renderText's for the same inputs). */
export function planText(parts: readonly SpeechPart[]): string {
  return parts.map((p) => p.text).join('');
}
