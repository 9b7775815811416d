import { CAMPAIGN_STATES } from '../campaigns/campaign.state.js';
import { loadGaugeRows } from '../campaigns/campaign.stats.js';
import type { Queryable } from '../store/db.js';
import type { Metrics } from './metrics.js';

/** Gauges read from PostgreSQL at scrape time: campaigns by state and live call attempts. */
export function registerDbGauges(metrics: Metrics, db: Queryable): void {
  const campaigns = metrics.gauge('campaigns', 'campaigns by state', ['state']);
  const live = metrics.gauge('call_attempts_live', 'call attempts not yet ended (all workers)');
  metrics.onCollect(async () => {
    const rows = await loadGaugeRows(db);
    for (const state of CAMPAIGN_STATES) campaigns.set({ state }, rows.campaigns.find((r) => r.state === state)?.n ?? 0);
    live.set(rows.liveCalls);
  });
}
