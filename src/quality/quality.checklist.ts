import { ValidationError } from '../shared/errors.js';

/** One thing a supervisor listens for. A failed critical item fails the whole call (score 0). */
export interface ChecklistItem {
  id: string;
  label: string;
  critical: boolean;
}

/** Per item: met, not met, or null (not applicable: the customer never asked to opt out). */
export type Answers = Record<string, boolean | null>;

/**
 * What every campaign is scored against until it saves its own: the field report behind this
 * product complains of harsh, untrained collectors, so threats and an ignored opt-out fail a call
 * outright (as in the collection industry's "auto-fail" items), the rest count in proportion.
 * The console shows these ids in the reader's language; a campaign's own items show their label.
 */
export const DEFAULT_CHECKLIST: readonly ChecklistItem[] = Object.freeze([
  { id: 'greeting', label: 'Polite greeting', critical: false },
  { id: 'identity', label: 'Identity checked', critical: false },
  { id: 'no_threats', label: 'No threats or pressure', critical: true },
  { id: 'plan_offered', label: 'Plan offered', critical: false },
  { id: 'opt_out', label: 'Opt-out honoured', critical: true },
]);

/** Refuses a checklist with the same id twice (422 checklist_duplicate_item). */
export function validateChecklist(items: readonly ChecklistItem[]): void {
  const seen = new Set<string>();
  for (const [i, it] of items.entries()) {
    if (seen.has(it.id)) throw new ValidationError(`item ${i + 1}: id "${it.id}" is used twice`, { item: i + 1, id: it.id }, 'checklist_duplicate_item');
    seen.add(it.id);
  }
}

/**
 * Every item answered, nothing else (422 review_answers_mismatch, naming what is missing or
 * unknown): a score over half the checklist would not compare with the others.
 */
export function validateAnswers(items: readonly ChecklistItem[], answers: Answers): void {
  const ids = items.map((i) => i.id);
  const missing = ids.filter((id) => !(id in answers));
  const unknown = Object.keys(answers).filter((k) => !ids.includes(k));
  if (missing.length > 0 || unknown.length > 0) {
    throw new ValidationError('answer every checklist item, and only those', { missing, unknown, items: ids }, 'review_answers_mismatch');
  }
}

/** 0-100: the share of applicable items met; 0 when a critical item failed; 100 when none applied. */
export function scoreOf(items: readonly ChecklistItem[], answers: Answers): number {
  if (items.some((i) => i.critical && answers[i.id] === false)) return 0;
  const applicable = items.filter((i) => answers[i.id] !== null && answers[i.id] !== undefined);
  if (applicable.length === 0) return 100;
  const met = applicable.filter((i) => answers[i.id] === true).length;
  return Math.round((met / applicable.length) * 10_000) / 100;
}
