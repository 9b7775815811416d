import { api, can, type Page as ApiPage } from '../api.js';
import { confirmDialog, h, replace } from '../dom.js';
import { t, type Key } from '../i18n.js';
import type { Page } from '../main.js';
import { campaignEditor, type Campaign } from './campaign-editor.js';
import { importPanel } from './import.js';

interface Live {
  id: number;
  state: string;
  callsPerSecond: number;
  stats: {
    contacts: { total: number; byState: Record<string, number>; reasons: { deferred: Record<string, number>; blocked: Record<string, number> } };
    attempts: { live: number; byOutcome: Record<string, number> };
    abandonRate: number | null;
    abandonment: { abandoned: number; liveAnswered: number; windowDays: number; target: number };
    progress: number | null;
  };
}

const ACTIONS: { action: 'launch' | 'pause' | 'resume' | 'cancel'; from: string[] }[] = [
  { action: 'launch', from: ['draft'] },
  { action: 'pause', from: ['running'] },
  { action: 'resume', from: ['paused'] },
  { action: 'cancel', from: ['draft', 'running', 'paused'] },
];

const counts = (o: Record<string, number>) =>
  Object.entries(o)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(' · ');
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

/** The campaign list, live over one SSE stream, with the state machine's buttons and the editors. */
export const campaignsPage: Page = (main) => {
  let stream: EventSource | null = null;
  const panel = h('section', { class: 'panel', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const rows = new Map<number, { tr: HTMLTableRowElement; campaign: Campaign; cells: Record<string, HTMLElement> }>();

  const table = h(
    'table',
    { class: 'campaigns' },
    h('caption', { class: 'sr' }, t('campaigns')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        (['name', 'state', 'progress', 'cps', 'live', 'outcomes', 'abandon', 'deferred', 'blocked', 'actions'] as Key[]).map((k) =>
          h('th', { scope: 'col' }, t(k)),
        ),
      ),
    ),
    tbody,
  );

  const act = async (c: Campaign, action: (typeof ACTIONS)[number]['action']) => {
    const total = rows.get(c.id)?.cells['progress']?.dataset['total'] ?? '0';
    if (!(await confirmDialog(t(`confirm_${action}` as Key, { name: c.name, n: total }), t(action), t('no')))) return;
    try {
      await api('POST', `/v1/campaigns/${c.id}/${action}`);
      await load();
    } catch (e) {
      replace(panel, h('p', { class: 'error', role: 'alert' }, t('error', { m: (e as Error).message })));
    }
  };

  const actionCell = (c: Campaign) =>
    h(
      'td',
      { class: 'actions' },
      ACTIONS.filter((a) => a.from.includes(c.state) && can(`POST /v1/campaigns/:id/${a.action}`)).map((a) =>
        h(
          'button',
          { type: 'button', class: a.action === 'cancel' ? 'danger' : '', 'aria-label': `${t(a.action)}: ${c.name}`, onclick: () => void act(c, a.action) },
          t(a.action),
        ),
      ),
      c.state === 'draft' && can('PATCH /v1/campaigns/:id')
        ? h('button', { type: 'button', 'aria-label': `${t('edit')}: ${c.name}`, onclick: () => openEditor(c) }, t('edit'))
        : null,
      ['draft', 'running', 'paused'].includes(c.state) && can('POST /v1/campaigns/:id/contacts')
        ? h(
            'button',
            {
              type: 'button',
              'aria-label': `${t('import')}: ${c.name}`,
              onclick: () =>
                replace(
                  panel,
                  importPanel(c, () => void load()),
                ),
            },
            t('import'),
          )
        : null,
    );

  const update = (l: Live) => {
    const r = rows.get(l.id);
    if (!r) return;
    const { cells } = r;
    const pct = Math.round((l.stats.progress ?? 0) * 100);
    if (r.campaign.state !== l.state) {
      r.campaign.state = l.state;
      cells['actions']!.replaceWith((cells['actions'] = actionCell(r.campaign)));
    }
    cells['state']!.textContent = l.state;
    const bar = cells['progress']!;
    bar.dataset['total'] = String(l.stats.contacts.total);
    replace(bar, h('progress', { max: 100, value: pct, 'aria-label': `${t('progress')} ${r.campaign.name}` }), ` ${pct}%`);
    cells['cps']!.textContent = l.callsPerSecond.toFixed(1);
    cells['live']!.textContent = String(l.stats.attempts.live);
    cells['outcomes']!.textContent = counts(l.stats.attempts.byOutcome);
    // The rolling 30-day rate the pacing controls (the same as GET /v1/campaigns/:id/stats), with its counts.
    const ab = l.stats.abandonment;
    const abandon = cells['abandon']!;
    abandon.textContent = l.stats.abandonRate === null ? '–' : `${(l.stats.abandonRate * 100).toFixed(1)}% (${ab.abandoned}/${ab.liveAnswered})`;
    abandon.title = t('abandonDetail', { abandoned: ab.abandoned, live: ab.liveAnswered, days: ab.windowDays, target: +(ab.target * 100).toFixed(2) });
    abandon.classList.toggle('over', l.stats.abandonRate !== null && l.stats.abandonRate >= ab.target);
    cells['deferred']!.textContent = `${l.stats.contacts.byState['deferred'] ?? 0} ${counts(l.stats.contacts.reasons.deferred)}`;
    cells['blocked']!.textContent = `${l.stats.contacts.byState['blocked'] ?? 0} ${counts(l.stats.contacts.reasons.blocked)}`;
    void sum;
  };

  const openEditor = (c: Campaign | null) =>
    replace(
      panel,
      campaignEditor(c, () => void load()),
    );

  const load = async () => {
    const page = await api<ApiPage<Campaign>>('GET', '/v1/campaigns?limit=50');
    rows.clear();
    tbody.replaceChildren();
    for (const c of page.items) {
      const cells: Record<string, HTMLElement> = {};
      for (const k of ['state', 'progress', 'cps', 'live', 'outcomes', 'abandon', 'deferred', 'blocked']) cells[k] = h('td', { 'data-col': k });
      cells['state']!.textContent = c.state;
      cells['actions'] = actionCell(c);
      const tr = h('tr', { 'data-campaign': c.id }, h('th', { scope: 'row' }, c.name), Object.values(cells));
      rows.set(c.id, { tr, campaign: c, cells });
      tbody.append(tr);
    }
    stream?.close();
    if (page.items.length > 0) {
      // One stream for the whole list: the server pushes every row's numbers about once a second.
      stream = new EventSource(`/v1/campaigns/live?ids=${page.items.map((c) => c.id).join(',')}`);
      stream.addEventListener('update', (e) => {
        for (const l of (JSON.parse((e as MessageEvent<string>).data) as { campaigns: Live[] }).campaigns) update(l);
      });
    }
  };

  replace(
    main,
    h('h1', {}, t('campaigns')),
    can('POST /v1/campaigns') ? h('button', { type: 'button', class: 'primary', onclick: () => openEditor(null) }, t('newCampaign')) : null,
    h('div', { class: 'scroll' }, table),
    panel,
  );
  void load();
  return () => stream?.close();
};
