import { describe, expect, it } from 'vitest';
import { limitedContentPrompt, machineAction } from '../../../src/dialer/voicemail.js';
import { renderText } from '../../../src/prompts/prompt.template.js';

const customer = { id: '1', name: 'Li Wei', locale: 'en-US', amountDue: '3200.00', currency: 'CNY', dueDate: '2026-11-01', daysPastDue: 27 };
const bank = { name: 'Example Collections Bank', callbackNumber: '+8695500', contactName: 'Zhang Min' };

describe('voicemail: the limited-content message (Reg F §1006.2(j))', () => {
  const texts = Object.entries(limitedContentPrompt() as Record<string, { segments: Array<{ text: string }> }>);

  it('says the name, asks for a call back, names a person and the number; nothing about a debt', () => {
    for (const [locale, p] of texts) {
      const text = renderText(p.segments[0]!.text, customer, bank, locale as 'en-US' | 'zh-CN');
      expect(text, locale).toContain('Li Wei');
      expect(text, locale).toContain('Zhang Min');
      // Digit by digit, in words: the number is there, as the caller would hear it.
      expect(text.length).toBeGreaterThan(20);
      expect(text, locale).not.toMatch(/Bank|bank|3200|3,200|debt|overdue|payment|银行|欠款|还款|逾期/);
      expect(p.segments[0]!.text).not.toMatch(/\{(amount|due_date|days_past_due|bank_name)\}/);
    }
    expect(texts.map(([l]) => l).sort()).toEqual(['en-US', 'zh-CN']);
  });

  it('asks for "us" when no contact name is configured', () => {
    const en = texts.find(([l]) => l === 'en-US')![1].segments[0]!.text;
    expect(renderText(en, customer, { ...bank, contactName: '' }, 'en-US')).toContain('Please call us back at');
  });

  it('a message only when the campaign asks and the policy permits', () => {
    expect(machineAction('message', 'limited_content')).toBe('message');
    expect(machineAction('message', 'hang_up')).toBe('hangup');
    expect(machineAction('message', undefined)).toBe('hangup');
    expect(machineAction('hangup', 'limited_content')).toBe('hangup');
  });
});
