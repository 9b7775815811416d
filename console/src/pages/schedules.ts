import { api, ApiError, can, type Page as ApiPage } from '../api.js';
import { confirmDialog, fmtTime, h, replace } from '../dom.js';
import { t } from '../i18n.js';
import type { Page } from '../main.js';

interface Schedule {
  id: number;
  name: string;
  cron: string;
  timeZone: string;
  enabled: boolean;
  onWindowEnd: string;
  nextRunAt: string | null;
}
interface Run {
  id: number;
  localDate: string;
  campaignId: number | null;
  campaignState: string | null;
  via: string;
  status: string;
  firedAt: string;
  windowClosesAt: string;
  windowAction: string | null;
  windowLeft: number | null;
  contacts: { total: number; byState: Record<string, number> };
  attempts: number;
}

const byState = (r: Run) =>
  Object.entries(r.contacts.byState)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** A run's report as table rows: when, how it ended, what the window end did, what was called. */
function runsTable(runs: Run[]): HTMLElement {
  if (runs.length === 0) return h('p', {}, t('noRuns'));
  return h(
    'table',
    { class: 'runs' },
    h('caption', { class: 'sr' }, t('lastRuns')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [t('day'), t('state'), t('campaign'), t('firedAt'), t('windowEnd'), t('contacts'), t('attempts')].map((x) => h('th', { scope: 'col' }, x)),
      ),
    ),
    h(
      'tbody',
      {},
      runs.map((r) =>
        h(
          'tr',
          { 'data-run': r.id },
          h('th', { scope: 'row' }, r.localDate),
          h('td', { 'data-col': 'status' }, r.status),
          h('td', {}, r.campaignId ? `${r.campaignId} (${r.campaignState ?? ''})` : ''),
          h('td', {}, `${fmtTime(r.firedAt)} · ${r.via}`),
          h('td', {}, r.windowAction ? `${r.windowAction} ${r.windowLeft ?? 0}` : fmtTime(r.windowClosesAt)),
          h('td', { 'data-col': 'contacts' }, `${r.contacts.total}${r.contacts.total ? ` (${byState(r)})` : ''}`),
          h('td', { 'data-col': 'attempts' }, r.attempts),
        ),
      ),
    ),
  );
}

/** Nightly runs: each schedule, when it fires next, its last report; "run now" for the roles that may. */
export const schedulesPage: Page = (main) => {
  const tbody = h('tbody');
  const out = h('p', { role: 'status' });
  const panel = h('section', { class: 'panel', 'aria-live': 'polite' });
  const showRuns = async (s: Schedule) => {
    const runs = await api<ApiPage<Run>>('GET', `/v1/schedules/${s.id}/runs?limit=10`);
    replace(panel, h('h2', { id: 'runs-h', tabindex: '-1' }, t('runsOf', { name: s.name })), h('div', { class: 'scroll' }, runsTable(runs.items)));
  };
  const runNow = async (s: Schedule) => {
    if (!(await confirmDialog(t('confirm_run', { name: s.name }), t('runNow'), t('no')))) return;
    try {
      const r = await api<{ created: boolean; run: Run }>('POST', `/v1/schedules/${s.id}/trigger`);
      out.className = 'ok';
      out.textContent = t(r.created ? 'runStarted' : 'runExists', { date: r.run.localDate, n: r.run.contacts.total });
    } catch (x) {
      out.className = 'error';
      out.textContent = t('error', { m: x instanceof ApiError ? x.message : String(x) });
    }
    await load();
    await showRuns(s);
  };
  const load = async () => {
    const page = await api<ApiPage<Schedule>>('GET', '/v1/schedules?limit=200');
    const last = await Promise.all(page.items.map((s) => api<ApiPage<Run>>('GET', `/v1/schedules/${s.id}/runs?limit=1`).then((p) => p.items[0])));
    if (page.items.length === 0) return replace(tbody, h('tr', {}, h('td', { colspan: 7 }, t('noSchedules'))));
    replace(
      tbody,
      page.items.map((s, i) => {
        const r = last[i];
        return h(
          'tr',
          { 'data-schedule': s.id },
          h('th', { scope: 'row' }, s.name),
          h('td', {}, h('code', {}, s.cron), ` ${s.timeZone}`),
          h('td', {}, s.enabled ? t('yes') : t('disabled')),
          h('td', {}, s.nextRunAt ? `${fmtTime(s.nextRunAt, s.timeZone)} (${s.timeZone}) · ${fmtTime(s.nextRunAt)}` : '–'),
          h('td', { 'data-col': 'last' }, r ? `${r.localDate} ${r.status} · ${t('contacts')} ${r.contacts.total} · ${t('attempts')} ${r.attempts}` : '–'),
          h(
            'td',
            { class: 'actions' },
            h('button', { type: 'button', onclick: () => void showRuns(s), 'aria-label': `${t('lastRuns')}: ${s.name}` }, t('lastRuns')),
            can('POST /v1/schedules/:id/trigger')
              ? h('button', { type: 'button', class: 'primary', onclick: () => void runNow(s), 'aria-label': `${t('runNow')}: ${s.name}` }, t('runNow'))
              : null,
          ),
        );
      }),
    );
  };
  replace(
    main,
    h('h1', {}, t('schedules')),
    out,
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'schedules' },
        h('caption', { class: 'sr' }, t('schedules')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [t('name'), t('cron'), t('enabled'), t('nextRun'), t('lastRun'), t('actions')].map((x) => h('th', { scope: 'col' }, x)),
          ),
        ),
        tbody,
      ),
    ),
    panel,
  );
  void load();
};
