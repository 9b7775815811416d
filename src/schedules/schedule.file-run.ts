import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { audit } from '../api/audit.js';
import type { CampaignSettings } from '../campaigns/campaign.repo.js';
import { getCampaignState } from '../campaigns/campaign.repo.js';
import { changeCampaignState, createCampaignIn } from '../campaigns/campaign.service.js';
import { importContacts, type ImportDeps, type ImportSummary } from '../campaigns/import.service.js';
import type { ImportFormat } from '../campaigns/import.parse.js';
import { effectivePolicy } from '../compliance/policy.merge.js';
import { loadGlobalPolicy } from '../compliance/policy.store.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import { withTransaction } from '../store/db.js';
import { findRun, getScheduleByName, insertRunOnce, setRunCampaign, type ScheduleRun } from './schedule.repo.js';
import type { CampaignStarted } from './schedule.service.js';
import { localDateOf, windowClosesAt } from './schedule.time.js';

export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface FileRunResult {
  run: ScheduleRun;
  created: boolean;
  /** Set when this call imported the file (a new run, or one whose import had not finished). */
  imported: ImportSummary | null;
}

/**
 * `batch run --file F --template NAME`: a run of that schedule's template whose contacts come
 * from a file. Its key is (schedule, local date, file sha256), so running the same file again
 * the same day reuses the run. The run and its draft campaign commit first; the file goes
 * through the import service (all or nothing), then the launch. A run whose import failed or
 * was cut off is still a draft, and the next call with the same file imports and launches it.
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
  const first = await withTransaction(db, async (c) => {
    const policy = effectivePolicy((await loadGlobalPolicy(c, req.policyProfile)).policy, s.template['policyOverrides']);
    const closes = windowClosesAt(policy, s.timeZone, req.firedAt.getTime());
    const run = await insertRunOnce(c, { scheduleId: s.id, localDate, via: 'cli', firedAt: req.firedAt, windowClosesAt: closes, fileSha256: sha });
    if (!run) return { run: (await findRun(c, s.id, localDate, sha))!, created: false };
    const name = `${s.name} ${localDate} file ${sha.slice(0, 8)}`;
    const campaign = await createCampaignIn(c, null, { ...(s.template as Partial<CampaignSettings>), name }, { policyProfile: req.policyProfile, via: 'cli' });
    await setRunCampaign(c, run.id, campaign.id);
    await audit(c, null, 'schedule.run', { type: 'schedule_run', id: run.id }, { scheduleId: s.id, localDate, campaignId: campaign.id, source: 'file', via: 'cli' });
    return { run: { ...run, campaignId: campaign.id }, created: true };
  });
  const campaignId = first.run.campaignId!;
  if ((await getCampaignState(db, campaignId)) !== 'draft') return { ...first, imported: null };
  const imported = await importContacts(deps, { campaignId, format: req.format, source: createReadStream(req.file) });
  // A second caller with the same file may have launched it meanwhile: that is the same run.
  const launched = await changeCampaignState(db, null, campaignId, 'launch', { via: 'cli' }).catch((err: unknown) => {
    if (err instanceof ConflictError && err.code === 'invalid_transition') return null;
    throw err;
  });
  if (launched && req.onLaunched) await req.onLaunched(campaignId, launched.state);
  return { ...first, imported };
}
