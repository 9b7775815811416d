import type { Queryable } from '../store/db.js';

/**
 * Every running campaign with no contact left to dial (pending, queued, deferred or dialing)
 * completes: the catch-all for a campaign whose last settle was lost with a crash.
 */
export async function completeFinishedCampaigns(q: Queryable): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    `UPDATE campaigns c SET state = 'completed', ended_at = now(), updated_at = now()
      WHERE c.state = 'running'
        AND NOT EXISTS (SELECT 1 FROM campaign_contacts cc
                         WHERE cc.campaign_id = c.id AND cc.state IN ('pending', 'queued', 'deferred', 'dialing'))
        -- A contact plan still running keeps its campaign open (campaign.repo.ts: completeCampaignIfDone).
        AND NOT EXISTS (SELECT 1 FROM contact_plan_runs r WHERE r.campaign_id = c.id AND r.ended_at IS NULL)
      RETURNING c.id::text`,
  );
  return r.rows.map((x) => x.id);
}
