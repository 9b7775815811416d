import type { RunReportRow } from './schedule.repo.js';

/**
 * What a run came to, for the API and the CLI alike. `status`: `running` while its campaign
 * runs and its window is open; `completed` / `cancelled` when the campaign ended first;
 * `expired` / `deferred` when the window closed with contacts left (what `onWindowEnd` said).
 */
export type RunStatus = 'running' | 'completed' | 'cancelled' | 'expired' | 'deferred';

export interface RunReport {
  id: number;
  scheduleId: number;
  scheduleName: string;
  localDate: string;
  campaignId: number | null;
  campaignState: string | null;
  source: 'schedule' | 'file';
  via: string;
  onWindowEnd: 'defer' | 'expire';
  status: RunStatus;
  firedAt: string;
  windowClosesAt: string;
  windowClosedAt: string | null;
  windowAction: 'expired' | 'deferred' | null;
  windowLeft: number | null;
  contacts: { total: number; byState: Record<string, number> };
  attempts: number;
}

export function runStatus(r: Pick<RunReportRow, 'windowAction' | 'campaignState'>): RunStatus {
  if (r.windowAction) return r.windowAction;
  if (r.campaignState === 'completed' || r.campaignState === 'cancelled') return r.campaignState;
  return 'running';
}

export function runReport(r: RunReportRow): RunReport {
  const byState = Object.fromEntries(Object.entries(r.contacts).map(([k, v]) => [k, Number(v)]));
  return {
    id: r.id,
    scheduleId: r.scheduleId,
    scheduleName: r.scheduleName,
    localDate: r.localDate,
    campaignId: r.campaignId,
    campaignState: r.campaignState,
    source: r.source,
    via: r.via,
    onWindowEnd: r.onWindowEnd,
    status: runStatus(r),
    firedAt: r.firedAt.toISOString(),
    windowClosesAt: r.windowClosesAt.toISOString(),
    windowClosedAt: r.windowClosedAt?.toISOString() ?? null,
    windowAction: r.windowAction,
    windowLeft: r.windowLeft,
    contacts: { total: Object.values(byState).reduce((a, b) => a + b, 0), byState },
    attempts: r.attempts,
  };
}

/** The CLI's one line. */
export function runSummaryLine(r: RunReport, created: boolean): string {
  const states = Object.entries(r.contacts.byState)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const window = r.windowAction ? `, window closed: ${r.windowLeft ?? 0} ${r.windowAction}` : '';
  return `run ${r.id} ${created ? 'created' : 'exists'}: schedule ${r.scheduleName} ${r.localDate}, campaign ${r.campaignId ?? '-'} (${r.campaignState ?? '-'}), status ${r.status}, ${r.contacts.total} contacts${states ? ` [${states}]` : ''}, ${r.attempts} attempts${window}`;
}
