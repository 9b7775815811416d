import { DateTime } from 'luxon';

/**
 * Pure checks of one payment as sent (a JSON body or a CSV row). Errors have the shape of the
 * contact import's (row, field, code, message) so clients handle both the same way.
 */
export interface PaymentRowError {
  /** 1-based data row (CSV: the header is row 0); 1 for a single POST. */
  row: number;
  field: string | null;
  code:
    | 'required'
    | 'invalid_format'
    | 'out_of_range'
    | 'too_long'
    | 'customer_not_found'
    | 'reference_conflict'
    | 'duplicate_in_file'
    | 'unknown_column'
    | 'missing_column'
    | 'unreadable';
  message: string;
}

export interface RawPayment {
  /** The customer's external id (CSV `customer`) or its numeric id (JSON `customerId`). */
  customer: string | number | undefined;
  amount: string | number | undefined;
  currency?: string | undefined;
  date: string | undefined;
  reference: string | undefined;
}

export interface CheckedPayment {
  customer: string | number;
  amount: string;
  currency: string | null;
  paidOn: string;
  reference: string;
}

const AMOUNT = /^(?:0|[1-9]\d{0,11})(?:\.\d{1,2})?$/;

/** Field names as the sender wrote them (CSV columns or JSON keys). */
export interface PaymentLabels {
  customer: string;
  amount: string;
  currency: string;
  date: string;
  reference: string;
}
export const CSV_LABELS: PaymentLabels = { customer: 'customer', amount: 'amount', currency: 'currency', date: 'date', reference: 'reference' };
export const JSON_LABELS: PaymentLabels = { customer: 'customerId', amount: 'amount', currency: 'currency', date: 'paidOn', reference: 'reference' };

export function checkPayment(raw: RawPayment, row: number, labels: PaymentLabels, today: string): CheckedPayment | PaymentRowError[] {
  const errors: PaymentRowError[] = [];
  const err = (field: keyof PaymentLabels, code: PaymentRowError['code'], message: string): void => {
    errors.push({ row, field: labels[field], code, message });
  };
  const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v).trim());

  const customer = typeof raw.customer === 'number' ? raw.customer : text(raw.customer);
  if (customer === '') err('customer', 'required', 'the customer is required');
  else if (typeof customer === 'string' && customer.length > 128) err('customer', 'too_long', 'a customer id has at most 128 characters');

  const amount = text(raw.amount);
  if (amount === '') err('amount', 'required', 'the amount is required');
  else if (!AMOUNT.test(amount)) err('amount', 'invalid_format', 'the amount is a decimal number with at most 2 decimals (e.g. 1200.50)');
  else if (Number(amount) <= 0) err('amount', 'out_of_range', 'the amount must be more than 0');

  const currency = text(raw.currency).toUpperCase();
  if (currency !== '' && !/^[A-Z]{3}$/.test(currency)) err('currency', 'invalid_format', 'the currency is an ISO 4217 code (e.g. CNY)');

  const date = text(raw.date);
  if (date === '') err('date', 'required', 'the payment date is required');
  else if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !DateTime.fromISO(date, { zone: 'utc' }).isValid) err('date', 'invalid_format', 'the date is YYYY-MM-DD');
  else if (date > today) err('date', 'out_of_range', 'a payment cannot be dated in the future');

  const reference = text(raw.reference);
  if (reference === '') err('reference', 'required', 'the reference is required (it makes the payment idempotent)');
  else if (reference.length > 128) err('reference', 'too_long', 'a reference has at most 128 characters');

  if (errors.length > 0) return errors;
  return { customer, amount, currency: currency || null, paidOn: date, reference };
}

/** Same reference, same payment? (A clash is the same reference for a different payment.) */
export function samePayment(a: { customerId: number; amount: string; paidOn: string }, b: { customerId: number; amount: string; paidOn: string }): boolean {
  return a.customerId === b.customerId && Number(a.amount) === Number(b.amount) && a.paidOn === b.paidOn;
}
