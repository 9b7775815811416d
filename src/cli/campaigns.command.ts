import { getCampaign, listCampaigns } from '../campaigns/campaign.repo.js';
import { changeCampaignState } from '../campaigns/campaign.service.js';
import { isCampaignState, type CampaignAction } from '../campaigns/campaign.state.js';
import { loadStatsRows, summarizeStats } from '../campaigns/campaign.stats.js';
import type { CampaignStarted } from '../schedules/schedule.types.js';
import { NotFoundError } from '../shared/errors.js';
import type { Db } from '../store/db.js';
import { EXIT, parseOptions, positiveId, UsageError, type Out } from './cli.options.js';
import { CAMPAIGNS_USAGE } from './cli.help.js';

const ACTIONS = ['launch', 'pause', 'resume', 'cancel'] as const;

export type CampaignsCommand =
  { action: 'list'; state?: string; limit: number } | { action: (typeof ACTIONS)[number]; id: number } | { action: 'status'; id: number };

const usage = (msg: string) => new UsageError(`campaigns: ${msg}\n${CAMPAIGNS_USAGE}`);

export function parseCampaignsArgs(args: string[]): CampaignsCommand {
  const [action, ...rest] = args;
  if (action === 'list') {
    const o = parseOptions(rest, { values: ['state', 'limit'] }, CAMPAIGNS_USAGE);
    if (o.positional.length > 0) throw usage(`unexpected argument "${o.positional[0]}"`);
    const state = o.values.get('state');
    if (state !== undefined && !isCampaignState(state)) throw usage(`--state must be a campaign state (got "${state}")`);
    const limit = o.values.has('limit') ? positiveId(o.values.get('limit'), '--limit', CAMPAIGNS_USAGE) : 50;
    return { action: 'list', ...(state ? { state } : {}), limit: Math.min(limit, 500) };
  }
  if (action === 'status' || (ACTIONS as readonly string[]).includes(action ?? '')) {
    if (rest.length !== 1) throw usage(`${action} needs one campaign ID`);
    return { action: action as (typeof ACTIONS)[number] | 'status', id: positiveId(rest[0], 'campaign ID', CAMPAIGNS_USAGE) };
  }
  throw usage(action ? `unknown action "${action}"` : 'missing action');
}

export interface CampaignsDeps {
  db: Db;
  /** Lazily connects Redis: only state changes need it. */
  onStateChanged: () => Promise<CampaignStarted>;
  stdout: Out;
}

export async function runCampaignsCommand(args: string[], d: CampaignsDeps): Promise<number> {
  const cmd = parseCampaignsArgs(args);
  switch (cmd.action) {
    case 'list': {
      const rows = await listCampaigns(d.db, { state: cmd.state as never, limit: cmd.limit });
      d.stdout.write(`${'ID'.padEnd(8)}${'STATE'.padEnd(11)}${'LAUNCHED'.padEnd(26)}NAME\n`);
      for (const c of rows) d.stdout.write(`${String(c.id).padEnd(8)}${c.state.padEnd(11)}${(c.launchedAt?.toISOString() ?? '-').padEnd(26)}${c.name}\n`);
      return EXIT.ok;
    }
    case 'status': {
      const c = await getCampaign(d.db, cmd.id);
      if (!c) throw new NotFoundError('campaign', cmd.id);
      d.stdout.write(`${JSON.stringify({ id: c.id, name: c.name, state: c.state, ...summarizeStats(c.id, await loadStatsRows(d.db, c.id)) })}\n`);
      return EXIT.ok;
    }
    default: {
      const c = await changeCampaignState(d.db, null, cmd.id, cmd.action as CampaignAction, { via: 'cli' });
      await (
        await d.onStateChanged()
      )(c.id, c.state);
      d.stdout.write(`campaign ${c.id} ${c.state}\n`);
      return EXIT.ok;
    }
  }
}
