import type { Queryable } from '../store/db.js';
import { scopeParams, type CallScope } from '../auth/roles.js';

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

/** One customer, or null when it does not exist or is on none of the calls in the caller's scope. */
export async function getCustomer(q: Queryable, scope: CallScope, id: number): Promise<CustomerRow | null> {
  const { rows } = await q.query<CustomerRow>(
    `SELECT id, external_id AS "externalId", name, phones, time_zone AS "timeZone", locale, amount_due::text AS "amountDue",
            currency, due_date::text AS "dueDate", days_past_due AS "daysPastDue", risk_score AS "riskScore", risk_tier AS "riskTier",
            created_at AS "createdAt", updated_at AS "updatedAt"
       FROM customers c
      WHERE c.id = $3
        AND ($1::boolean IS FALSE OR EXISTS (SELECT 1 FROM call_attempts a WHERE a.customer_id = c.id AND a.agent_id = $2::bigint))`,
    [...scopeParams(scope), id],
  );
  return rows[0] ?? null;
}
