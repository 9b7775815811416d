import type { Queryable } from '../store/db.js';

export interface CustomerRow {
  id: number;
  externalId: string;
  name: string;
  phones: string[];
  timeZone: string | null;
  locale: string;
  amountDue: string | null;
  currency: string | null;
  dueDate: string | null;
  daysPastDue: number | null;
  riskScore: number | null;
  riskTier: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export async function getCustomer(q: Queryable, id: number): Promise<CustomerRow | null> {
  const { rows } = await q.query<CustomerRow>(
    `SELECT id, external_id AS "externalId", name, phones, time_zone AS "timeZone", locale, amount_due::text AS "amountDue",
            currency, due_date::text AS "dueDate", days_past_due AS "daysPastDue", risk_score AS "riskScore", risk_tier AS "riskTier",
            created_at AS "createdAt", updated_at AS "updatedAt"
       FROM customers WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
}
