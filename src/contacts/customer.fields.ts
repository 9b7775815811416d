/**
 * What an imported customer row is made of: its fields, their CSV column names, the stable
 * row error codes, and the normalised row that validation produces.
 */

export const IMPORT_FIELDS = [
  'externalId',
  'name',
  'phone',
  'timezone',
  'locale',
  'amountDue',
  'currency',
  'dueDate',
  'daysPastDue',
  'riskScore',
  'riskTier',
  'email',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

export const REQUIRED_FIELDS: readonly ImportField[] = ['externalId', 'name', 'phone'];

/** CSV column name for each field (JSON uses the camelCase field names themselves). */
export const CSV_COLUMNS: Record<ImportField, string> = {
  externalId: 'external_id',
  name: 'name',
  phone: 'phone',
  timezone: 'timezone',
  locale: 'locale',
  amountDue: 'amount_due',
  currency: 'currency',
  dueDate: 'due_date',
  daysPastDue: 'days_past_due',
  riskScore: 'risk_score',
  riskTier: 'risk_tier',
  email: 'email',
};

export const DEFAULT_SUPPORTED_LOCALES: readonly string[] = ['zh-CN', 'en-US'];
export const RISK_TIERS = ['low', 'medium', 'high'] as const;
export const MAX_PHONES = 10;
export const MAX_NAME_LENGTH = 200;
export const MAX_EXTERNAL_ID_LENGTH = 100;
/** RFC 5321's limit on a forward path. */
export const MAX_EMAIL_LENGTH = 254;

/**
 * Stable row error codes. `field` is null for problems of the whole row or file.
 * (Phone codes come from `toE164`: phone_not_a_number, phone_invalid_country, phone_too_short,
 * phone_too_long, phone_invalid.)
 */
export type RowErrorCode =
  | 'required'
  | 'invalid_type'
  | 'invalid_format'
  | 'invalid_characters'
  | 'too_long'
  | 'out_of_range'
  | 'too_many_decimals'
  | 'invalid_date'
  | 'invalid_time_zone'
  | 'unsupported_locale'
  | 'unknown_currency'
  | 'invalid_value'
  | 'too_many_phones'
  | 'duplicate_phone'
  | 'phone_not_a_number'
  | 'phone_invalid_country'
  | 'phone_too_short'
  | 'phone_too_long'
  | 'phone_invalid'
  | 'phone_missing'
  // Raised by the parsers and the service, never by validateRow:
  | 'unknown_field'
  | 'unknown_column'
  | 'missing_column'
  | 'duplicate_column'
  | 'missing_header'
  | 'wrong_field_count'
  | 'not_an_object'
  | 'row_too_large'
  | 'csv_malformed'
  | 'json_malformed'
  | 'duplicate_row';

export interface RowError {
  /** 1-based data row (CSV: the header is row 0; JSON: the array element's position). */
  row: number;
  field: string | null;
  code: RowErrorCode;
  message: string;
  /** CSV only: the physical line the row ended on (the header is line 1). */
  line?: number;
}

/** A row that passed validation, normalised for the staging table. */
export interface ValidRow {
  externalId: string;
  name: string;
  /** E.164, de-duplicated, in the order given: the first is preferred. */
  phones: string[];
  timeZone: string | null;
  locale: string | null;
  /** Decimal string, at most two places: money never passes through a float. */
  amountDue: string | null;
  currency: string | null;
  /** yyyy-mm-dd */
  dueDate: string | null;
  daysPastDue: number | null;
  riskScore: number | null;
  riskTier: (typeof RISK_TIERS)[number] | null;
  /** Where a contact plan's email steps go (none: they are skipped). */
  email: string | null;
}

export type RawValues = Partial<Record<ImportField, unknown>>;
