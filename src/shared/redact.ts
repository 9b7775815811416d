/**
 * Personal data never reaches the logs. Phone numbers are masked to their country code and
 * last two digits (enough to tell calls apart in a log, not enough to dial).
 */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  const digits = phone.replace(/[^0-9+]/g, '');
  if (digits.length <= 4) return '***';
  const head = digits.startsWith('+') ? digits.slice(0, 3) : '';
  return `${head}***${digits.slice(-2)}`;
}

/** Paths pino censors wherever they appear in a log record (one and two levels deep). */
export const REDACT_PATHS = [
  'name',
  'phone',
  'phones',
  'number',
  'callerIdName',
  'password',
  'secret',
  'authorization',
  'req.headers.authorization',
  '*.name',
  '*.phone',
  '*.phones',
  '*.number',
  '*.password',
  '*.secret',
  '*.customerName',
  '*.callerIdName',
];
