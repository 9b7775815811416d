import type { Db } from '../../src/store/db.js';
import type { SyntheticCustomer } from '../../src/risk/portfolio.generate.js';

/**
 * Writes a generated portfolio into a test database as the product would have: customers,
 * their call attempts and agents' dispositions, payments, opt-outs, and a score 30 days old
 * (for the trend). Test-only: the product writes these through their owning modules.
 */
export async function seedPortfolio(db: Db, portfolio: SyntheticCustomer[], asOf: Date, scorecardVersion: string): Promise<number[]> {
  const ids: number[] = [];
  for (const c of portfolio) {
    const h = c.history;
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO customers (external_id, name, phones, locale, amount_due, currency, days_past_due, time_zone)
       VALUES ($1, $2, $3, 'zh-CN', $4, 'CNY', $5, 'Asia/Shanghai') RETURNING id`,
      [c.externalId, c.name, [c.phone], h.amountDue, h.daysPastDue],
    );
    const id = rows[0]!.id;
    ids.push(id);
    const attemptIds = new Map<number, string>();
    let n = 0;
    for (const a of h.attempts) {
      n += 1;
      const r = await db.query<{ id: string }>(
        `INSERT INTO call_attempts (customer_id, attempt_no, phone, state, outcome, connected, reserved_at, ended_at)
         VALUES ($1, $2, $3, 'ended', $4, $5, $6, $6) RETURNING id`,
        [id, n, c.phone, a.outcome, a.connected, a.at],
      );
      attemptIds.set(a.at.getTime(), r.rows[0]!.id);
    }
    for (const d of h.dispositions) {
      const attemptId = attemptIds.get(d.at.getTime() - 60_000);
      if (!attemptId) throw new Error('disposition without its attempt');
      await db.query(`INSERT INTO dispositions (attempt_id, kind, amount, promised_date, created_at) VALUES ($1, $2, $3, $4, $5)`, [
        attemptId,
        d.kind,
        d.amount ?? null,
        d.promisedDate ?? null,
        d.at,
      ]);
    }
    let k = 0;
    for (const p of h.payments) {
      k += 1;
      await db.query(`INSERT INTO payments (customer_id, amount, currency, paid_on, reference, source) VALUES ($1, $2, 'CNY', $3, $4, 'import')`, [
        id,
        p.amount,
        p.paidOn,
        `${c.externalId}-P${k}`,
      ]);
    }
    if (h.optedOut) {
      await db.query(`INSERT INTO dnc_entries (customer_id, reason, source, created_at) VALUES ($1, 'opt-out', 'seed', $2)`, [
        id,
        new Date(asOf.getTime() - 86_400_000),
      ]);
    }
    if (h.previous) {
      await db.query(
        `INSERT INTO risk_scores (customer_id, scorecard_version, source, score, tier, computed_score, computed_tier, trigger, factors, inputs, computed_at)
         VALUES ($1, $2, 'scorecard', 50, 'medium', 50, 'medium', 'nightly', '[]', $3, $4)`,
        [id, scorecardVersion, JSON.stringify({ daysPastDue: h.previous.daysPastDue }), h.previous.at],
      );
    }
  }
  return ids;
}
