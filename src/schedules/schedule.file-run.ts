import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { audit } from '../audit/audit.js';
import type { CampaignSettings } from '../campaigns/campaign.repo.js';
import { changeCampaignState, changeCampaignStateIn, createCampaign } from '../campaigns/campaign.service.js';
import { importContacts, type ImportDeps, type ImportSummary } from '../campaigns/import.service.js';
import type { ImportFormat } from '../campaigns/import.parse.js';
import { effectivePolicy } from '../compliance/policy.merge.js';
import { loadGlobalPolicy } from '../compliance/policy.store.js';
import { NotFoundError } from '../shared/errors.js';
import { withTransaction } from '../store/db.js';
import { findRun, getScheduleByName, insertRunOnce, setRunCampaign, type ScheduleRun } from './schedule.repo.js';
import type { CampaignStarted } from './schedule.types.js';
import { localDateOf, windowClosesAt } from './schedule.time.js';

export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface FileRunResult {
  run: ScheduleRun;
  created: boolean;
  /** Set when this call imported the file (a new run). */
  imported: ImportSummary | null;
}

/**
 * `batch run --file F --template NAME`: a run of that schedule's template whose contacts come
 * from a file. Its key is (schedule, local date, file sha256): the same file again the same day
 * finds its run and imports nothing. The file goes through the import service (all or nothing)
 * into a fresh draft campaign first; only then, in one transaction, the run is inserted and the
 * campaign launched. A rejected file leaves no run (its draft campaign is cancelled), and a
 * racing caller that loses the insert cancels its own copy and returns the winner's run.
 */
export async function fireFileRun(
  deps: ImportDeps,
  req: { scheduleName: string; file: string; format: ImportFormat; firedAt: Date; policyProfile?: string; onLaunched?: CampaignStarted },
): Promise<FileRunResult> {
  const { db } = deps;
  const s = await getScheduleByName(db, req.scheduleName);
  if (!s) throw new NotFoundError('schedule', req.scheduleName);
  const sha = await fileSha256(req.file);
  const localDate = localDateOf(s.timeZone, req.firedAt.getTime());
  const existing = await findRun(db, s.id, localDate, sha);
  if (existing) return { run: existing, created: false, imported: null };

  const name = `${s.name} ${localDate} file ${sha.slice(0, 8)}`;
  const save = { policyProfile: req.policyProfile, via: 'cli' };
  const draft = await createCampaign(db, null, { ...(s.template as Partial<CampaignSettings>), name }, save);
  let imported: ImportSummary;
  try {
    imported = await importContacts(deps, { campaignId: draft.id, format: req.format, source: createReadStream(req.file) });
  } catch (err) {
    await changeCampaignState(db, null, draft.id, 'cancel', { via: 'cli' }).catch(() => undefined);
    throw err;
  }
  const result = await withTransaction(db, async (c): Promise<FileRunResult> => {
    const policy = effectivePolicy((await loadGlobalPolicy(c, req.policyProfile)).policy, s.template['policyOverrides']);
    const closes = windowClosesAt(policy, s.timeZone, req.firedAt.getTime());
    const run = await insertRunOnce(c, { scheduleId: s.id, localDate, via: 'cli', firedAt: req.firedAt, windowClosesAt: closes, fileSha256: sha });
    if (!run) {
      await changeCampaignStateIn(c, null, draft.id, 'cancel', { via: 'cli' });
      return { run: (await findRun(c, s.id, localDate, sha))!, created: false, imported: null };
    }
    await setRunCampaign(c, run.id, draft.id);
    await changeCampaignStateIn(c, null, draft.id, 'launch', { via: 'cli' });
    await audit(
      c,
      null,
      'schedule.run',
      { type: 'schedule_run', id: run.id },
      { scheduleId: s.id, localDate, campaignId: draft.id, source: 'file', via: 'cli' },
    );
    return { run: { ...run, campaignId: draft.id }, created: true, imported };
  });
  if (result.created && req.onLaunched) await req.onLaunched(draft.id, 'running');
  return result;
}
