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
 * Customers by phone, external id or name prefix, newest first. Each branch is its own query on
 * its own index (phones GIN, external_id UNIQUE, lower(name) text_pattern_ops); the page of ids is
 * cut before the rows are read, so they are fetched by primary key. One
 * WHERE with three ORs lets the planner walk the primary key backwards hoping for an early match,
 * which at a million customers took seconds for a phone number (measured). The name branch keeps
 * its own ORDER BY/LIMIT so a common prefix ("wang") stops after one page. An agent key finds only
 * customers on its own calls.
 */
export async function searchCustomers(q: Queryable, scope: CallScope, s: CustomerSearch): Promise<CustomerRow[]> {
  const inScope = (t: string) => `($1::boolean IS FALSE OR EXISTS (SELECT 1 FROM call_attempts a WHERE a.customer_id = ${t}.id AND a.agent_id = $2::bigint))`;
  const { rows } = await q.query<CustomerRow>(
    `SELECT id, external_id AS "externalId", name, phones, time_zone AS "timeZone", locale, amount_due::text AS "amountDue",
            currency, due_date::text AS "dueDate", days_past_due AS "daysPastDue", risk_score AS "riskScore", risk_tier AS "riskTier",
            created_at AS "createdAt", updated_at AS "updatedAt"
       FROM customers c
       JOIN (SELECT id FROM (
               SELECT p.id FROM customers p WHERE $3::text IS NOT NULL AND p.phones @> ARRAY[$3::text] AND ${inScope('p')}
               UNION
               SELECT e.id FROM customers e WHERE e.external_id = $4 AND ${inScope('e')}
               UNION
               (SELECT n.id FROM customers n
                 WHERE lower(n.name) LIKE $5 AND ($6::bigint IS NULL OR n.id < $6) AND ${inScope('n')}
                 ORDER BY n.id DESC LIMIT $7)
             ) hits
             WHERE $6::bigint IS NULL OR id < $6
             ORDER BY id DESC LIMIT $7) page USING (id)
      ORDER BY c.id DESC`,
    [...scopeParams(scope), s.phone, s.text, likePrefix(s.text), s.beforeId ?? null, s.limit],
  );
  return rows;
}
