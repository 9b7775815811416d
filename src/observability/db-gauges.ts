import { abandonRate, loadAbandonWindows } from '../calls/abandon.js';
import { CAMPAIGN_STATES } from '../campaigns/campaign.state.js';
import { loadGaugeRows } from '../campaigns/campaign.stats.js';
import type { Queryable } from '../store/db.js';
import type { Metrics } from './metrics.js';

/**
 * Gauges read from PostgreSQL at scrape time: campaigns by state, live call attempts, and each
 * campaign's abandon rate over the rolling 30 days (calls/abandon.ts), for campaigns running,
 * paused or ended in the last day with a live-answered call in the window.
 */
export function registerDbGauges(metrics: Metrics, db: Queryable): void {
  const campaigns = metrics.gauge('campaigns', 'campaigns by state', ['state']);
  const live = metrics.gauge('call_attempts_live', 'call attempts not yet ended (all workers)');
  const rate = metrics.gauge('abandon_rate', 'abandoned / live-answered calls per campaign over the rolling 30 days (FCC 47 CFR 64.1200(a)(7))', ['campaign']);
  const calls = metrics.gauge('abandon_window_calls', "the abandon rate's counts per campaign over the rolling 30 days", ['campaign', 'kind']);
  metrics.onCollect(async () => {
    const rows = await loadGaugeRows(db);
    for (const state of CAMPAIGN_STATES) campaigns.set({ state }, rows.campaigns.find((r) => r.state === state)?.n ?? 0);
    live.set(rows.liveCalls);
  });
  metrics.onCollect(async () => {
    const windows = await loadAbandonWindows(db);
    // A campaign whose calls left the window leaves the scrape too.
    rate.reset();
    calls.reset();
    for (const w of windows) {
      rate.set({ campaign: w.campaignId }, abandonRate(w) ?? 0);
      calls.set({ campaign: w.campaignId, kind: 'abandoned' }, w.abandoned);
      calls.set({ campaign: w.campaignId, kind: 'live_answered' }, w.liveAnswered);
    }
  });
}
