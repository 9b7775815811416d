import type { Queryable } from '../store/db.js';
import { scopeParams, type CallScope } from '../auth/roles.js';
import type { CustomerRow } from './customers.repo.js';

export interface CustomerSearch {
  /** An E.164 number to match exactly (customers_phones_idx, GIN), when the query looked like one. */
  phone: string | null;
  /** The query as typed: an exact external id, or the start of a name (any case). */
  text: string;
  /** Newest first: ids below this. */
  beforeId?: number | undefined;
  limit: number;
}

const likePrefix = (s: string) => `${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Customers by phone, external id or name prefix, newest first. Each branch has its own index
 * (phones GIN, external_id UNIQUE, lower(name) text_pattern_ops), so PostgreSQL ORs three index
 * scans instead of reading a million rows. An agent key finds only customers on its own calls.
 */
export async function searchCustomers(q: Queryable, scope: CallScope, s: CustomerSearch): Promise<CustomerRow[]> {
  const { rows } = await q.query<CustomerRow>(
    `SELECT id, external_id AS "externalId", name, phones, time_zone AS "timeZone", locale, amount_due::text AS "amountDue",
            currency, due_date::text AS "dueDate", days_past_due AS "daysPastDue", risk_score AS "riskScore", risk_tier AS "riskTier",
            created_at AS "createdAt", updated_at AS "updatedAt"
       FROM customers c
      WHERE (($3::text IS NOT NULL AND c.phones @> ARRAY[$3::text]) OR c.external_id = $4 OR lower(c.name) LIKE $5)
        AND ($6::bigint IS NULL OR c.id < $6)
        AND ($1::boolean IS FALSE OR EXISTS (SELECT 1 FROM call_attempts a WHERE a.customer_id = c.id AND a.agent_id = $2::bigint))
      ORDER BY c.id DESC
      LIMIT $7`,
    [...scopeParams(scope), s.phone, s.text, likePrefix(s.text), s.beforeId ?? null, s.limit],
  );
  return rows;
}
