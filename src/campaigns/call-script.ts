import { ValidationError } from '../shared/errors.js';
import { PROMPT_FIELDS, templateFields, type PromptBank } from '../prompts/prompt.template.js';

export interface ScriptStep {
  title: string;
  text: string;
}
/** `{ "<locale>": [steps] }` */
export type CallScript = Record<string, ScriptStep[]>;

/**
 * What agents see until a campaign saves its own: a respectful talk track (the field reports
 * behind this product complain of harsh, untrained collectors: no threats, an offer of a plan).
 */
export const DEFAULT_SCRIPT: Readonly<CallScript> = Object.freeze({
  'zh-CN': [
    { title: '问候', text: '您好，请问是{name}本人吗？我是{bank_name}的客服代表。' },
    { title: '核实身份', text: '为保护您的信息，请告诉我您身份证号码的后四位。' },
    { title: '说明欠款', text: '您的贷款有{amount}已逾期{days_past_due}天，到期日是{due_date}。' },
    { title: '提供方案', text: '如果一次还清有困难，我们可以为您安排分期还款，您看哪种方式更方便？' },
    { title: '结束', text: '感谢您的配合。如有疑问请拨打{callback_number}。祝您生活愉快。' },
  ],
  'en-US': [
    { title: 'Greet', text: 'Hello, am I speaking with {name}? I am calling from {bank_name} customer service.' },
    { title: 'Verify identity', text: 'To protect your account, may I confirm the last four digits of your ID?' },
    { title: 'Explain the debt', text: 'Your loan has {amount} overdue for {days_past_due} days; it was due on {due_date}.' },
    { title: 'Offer a plan', text: 'If paying it all at once is hard, we can set up an instalment plan. What would work for you?' },
    { title: 'Close', text: 'Thank you for your time. If you have questions, call {callback_number}. Have a good day.' },
  ],
});

/** Refuses a placeholder the customer row cannot fill (422 script_unknown_field, naming the step). */
export function validateScript(script: CallScript): void {
  for (const [locale, steps] of Object.entries(script)) {
    steps.forEach((s, i) => {
      const unknown = templateFields(`${s.title} ${s.text}`).filter((f) => !(PROMPT_FIELDS as readonly string[]).includes(f));
      if (unknown.length > 0) {
        throw new ValidationError(
          `unknown placeholder ${unknown.map((f) => `{${f}}`).join(', ')} in ${locale} step ${i + 1}`,
          { locale, step: i + 1, fields: unknown, allowed: PROMPT_FIELDS },
          'script_unknown_field',
        );
      }
    });
  }
}

export interface ScriptCustomer {
  name: string;
  amountDue: string | null;
  currency: string | null;
  dueDate: string | null;
  daysPastDue: number | null;
}

/** The script as the agent reads it: fields filled with the customer's values as written (not spoken). */
export function fillScript(steps: readonly ScriptStep[], c: ScriptCustomer, bank: PromptBank): ScriptStep[] {
  const values: Record<string, string> = {
    name: c.name,
    amount: c.amountDue ? `${c.amountDue} ${c.currency ?? ''}`.trim() : '—',
    due_date: c.dueDate ?? '—',
    days_past_due: c.daysPastDue === null ? '—' : String(c.daysPastDue),
    callback_number: bank.callbackNumber,
    bank_name: bank.name,
  };
  const fill = (t: string) => t.replace(/\{([^{}]*)\}/g, (m, f: string) => values[f.trim()] ?? m);
  return steps.map((s) => ({ title: fill(s.title), text: fill(s.text) }));
}
