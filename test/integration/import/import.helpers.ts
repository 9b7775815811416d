import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Queryable } from '../../../src/store/db.js';
import { ROOT } from '../../helpers/sandbox-env.js';

export function fixture(name: string): string {
  return readFileSync(join(ROOT, 'test', 'fixtures', 'import', name), 'utf8');
}

export async function createCampaign(q: Queryable, state = 'draft'): Promise<number> {
  const { rows } = await q.query<{ id: number }>(`INSERT INTO campaigns (name, state) VALUES ('import test', $1) RETURNING id`, [state]);
  return rows[0]!.id;
}

/** Everything an import may touch, as one comparable value. */
export async function snapshot(q: Queryable): Promise<unknown> {
  const { rows } = await q.query(
    `SELECT (SELECT count(*) FROM customers) AS customers,
            (SELECT md5(coalesce(string_agg(c::text, '|' ORDER BY id), '')) FROM customers c) AS customers_hash,
            (SELECT count(*) FROM campaign_contacts) AS contacts,
            (SELECT md5(coalesce(string_agg(cc::text, '|' ORDER BY id), '')) FROM campaign_contacts cc) AS contacts_hash,
            (SELECT count(*) FROM audit_log) AS audit_rows`,
  );
  return rows[0];
}

export interface CustomerRow {
  external_id: string;
  name: string;
  phones: string[];
  time_zone: string | null;
  locale: string;
  amount_due: string | null;
  currency: string | null;
  due_date: string | null;
  days_past_due: number | null;
  risk_score: number | null;
  risk_tier: string | null;
}

export async function customers(q: Queryable): Promise<CustomerRow[]> {
  const { rows } = await q.query<CustomerRow>(
    `SELECT external_id, name, phones, time_zone, locale, amount_due, currency, to_char(due_date, 'YYYY-MM-DD') AS due_date,
            days_past_due, risk_score, risk_tier
       FROM customers ORDER BY external_id`,
  );
  return rows;
}
