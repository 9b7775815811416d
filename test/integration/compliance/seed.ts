import type { Db } from '../../../src/store/db.js';

/** Minimal rows for gate tests: a customer and one campaign contact per campaign. */
export async function seedCustomer(db: Db, o: { timeZone?: string | null; phones?: string[] } = {}): Promise<string> {
  const r = await db.query<{ id: string }>(
    `INSERT INTO customers (external_id, name, phones, time_zone) VALUES ($1, 'Test Customer', $2, $3) RETURNING id::text`,
    [`ext-${Math.random().toString(36).slice(2)}`, o.phones ?? ['+8613800138000'], o.timeZone === undefined ? 'Asia/Shanghai' : o.timeZone],
  );
  return r.rows[0]!.id;
}

export async function seedCampaignContacts(
  db: Db,
  customerId: string,
  campaigns: number,
  overrides: object = {},
): Promise<Array<{ campaignId: string; contactId: string }>> {
  const r = await db.query<{ campaignId: string; contactId: string }>(
    `WITH c AS (
       INSERT INTO campaigns (name, state, policy_overrides)
       SELECT 'gate test ' || g, 'running', $3::jsonb FROM generate_series(1, $2::int) g RETURNING id
     )
     INSERT INTO campaign_contacts (campaign_id, customer_id, state)
     SELECT c.id, $1, 'queued' FROM c
     RETURNING campaign_id::text AS "campaignId", id::text AS "contactId"`,
    [customerId, campaigns, JSON.stringify(overrides)],
  );
  return r.rows.sort((a, b) => Number(a.contactId) - Number(b.contactId));
}
