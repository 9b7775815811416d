import { describe, expect, it } from 'vitest';
import { DEFAULT_CHECKLIST, scoreOf, validateAnswers, validateChecklist } from '../../../src/quality/quality.checklist.js';

const all = (v: boolean | null) => Object.fromEntries(DEFAULT_CHECKLIST.map((i) => [i.id, v]));

describe('quality checklist scoring', () => {
  it('scores the share of applicable items met; not applicable items do not count', () => {
    expect(scoreOf(DEFAULT_CHECKLIST, all(true))).toBe(100);
    expect(scoreOf(DEFAULT_CHECKLIST, { ...all(true), identity: false, opt_out: null })).toBe(75);
    expect(scoreOf(DEFAULT_CHECKLIST, { ...all(null), greeting: true, identity: false, plan_offered: false })).toBe(33.33);
    expect(scoreOf(DEFAULT_CHECKLIST, all(null))).toBe(100);
  });

  it('a failed critical item (threats, an ignored opt-out) scores the call 0 whatever else was met', () => {
    expect(scoreOf(DEFAULT_CHECKLIST, { ...all(true), no_threats: false })).toBe(0);
    expect(scoreOf(DEFAULT_CHECKLIST, { ...all(true), opt_out: false })).toBe(0);
    expect(scoreOf([{ id: 'a', label: 'A', critical: false }], { a: false })).toBe(0);
  });

  it('wants every item answered and nothing else, and ids unique', () => {
    expect(() => validateAnswers(DEFAULT_CHECKLIST, all(true))).not.toThrow();
    const { greeting: _g, ...missing } = all(true);
    expect(() => validateAnswers(DEFAULT_CHECKLIST, missing)).toThrow(
      expect.objectContaining({ code: 'review_answers_mismatch', details: expect.objectContaining({ missing: ['greeting'], unknown: [] }) }),
    );
    expect(() => validateAnswers(DEFAULT_CHECKLIST, { ...all(true), extra: true })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ unknown: ['extra'] }) }),
    );
    expect(() => validateChecklist([...DEFAULT_CHECKLIST, { id: 'greeting', label: 'again', critical: false }])).toThrow(
      expect.objectContaining({ code: 'checklist_duplicate_item', status: 422 }),
    );
  });
});
