/**
 * What an agent's phone shows for a bridged customer: the caller-id name carries the name, the
 * amount due and the days past due ("Wang Xiaoming 3200CNY 12d"), so the agent knows who it is
 * before answering. Personal data: it goes on the agent leg only, never into logs.
 */
export interface DisplayCustomer {
  name: string;
  amountDue: string | null;
  currency: string | null;
  daysPastDue: number | null;
}

// SIP display names are quoted strings: quotes, backslashes, angle brackets and control
// characters would break the From header (or Asterisk's "name <number>" parsing).
const UNSAFE = /[\p{C}"\\<>]/gu;
const MAX_NAME = 40;

function amountText(amount: string | null, currency: string | null): string | null {
  if (amount === null || amount.trim() === '') return null;
  const n = amount
    .trim()
    .replace(/\.0+$/, '')
    .replace(/(\.\d*?)0+$/, '$1');
  return `${n}${currency ?? ''}`;
}

export function agentDisplayName(c: DisplayCustomer): string {
  const name = c.name.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim().slice(0, MAX_NAME).trim();
  const parts = [name, amountText(c.amountDue, c.currency), c.daysPastDue === null ? null : `${c.daysPastDue}d`];
  return parts.filter((p): p is string => p !== null && p !== '').join(' ');
}

/** `"<display>" <number>` for ARI's callerId; the number is the campaign's (what a callback reaches). */
export function agentCallerId(display: string, number: string | null): string {
  const num = (number ?? '').replace(/[^0-9+*#]/g, '');
  return num ? `"${display}" <${num}>` : `"${display}"`;
}
