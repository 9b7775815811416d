import type { Queryable } from '../store/db.js';
import type { CallScript, ScriptStep } from './call-script.js';

/** The campaign's own script, by locale; empty when it has none. */
export async function getCallScript(q: Queryable, campaignId: number): Promise<CallScript> {
  const { rows } = await q.query<{ locale: string; steps: ScriptStep[] }>(`SELECT locale, steps FROM call_scripts WHERE campaign_id = $1 ORDER BY locale`, [
    campaignId,
  ]);
  return Object.fromEntries(rows.map((r) => [r.locale, r.steps]));
}

/** Replaces every locale's script of the campaign (call inside the transaction that audits it). */
export async function replaceCallScript(q: Queryable, campaignId: number, script: CallScript): Promise<void> {
  await q.query(`DELETE FROM call_scripts WHERE campaign_id = $1`, [campaignId]);
  const locales = Object.keys(script);
  if (locales.length === 0) return;
  await q.query(`INSERT INTO call_scripts (campaign_id, locale, steps) SELECT $1, l, s FROM unnest($2::text[], $3::jsonb[]) AS t(l, s)`, [
    campaignId,
    locales,
    locales.map((l) => JSON.stringify(script[l])),
  ]);
}
