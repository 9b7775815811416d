import { api, can, qs, type Page as ApiPage } from '../api.js';
import { fmtTime, h, replace } from '../dom.js';
import { t } from '../i18n.js';
import type { Page } from '../main.js';

export interface Call {
  id: string;
  campaignId: number | null;
  customerId: number;
  phone: string;
  state: string;
  outcome: string | null;
  agentId: number | null;
  digits: string;
  reservedAt: string;
  talkMs: number | null;
}

const OUTCOMES = ['answered_human', 'bridged', 'answered_machine', 'busy', 'no_answer', 'rejected', 'failed', 'abandoned', 'opted_out', 'lost'];

async function playRecording(callId: string, cell: HTMLElement): Promise<void> {
  const recs = await api<ApiPage<{ id: number }>>('GET', `/v1/recordings${qs({ attemptId: callId })}`);
  const r = recs.items[0];
  replace(cell, r ? h('audio', { controls: true, src: `/v1/recordings/${r.id}/audio`, 'aria-label': `${t('recording')} ${callId}` }) : '–');
}

/** Ledger rows; a recording player for the roles the API lets download recordings. */
export function callsTable(items: Call[]): HTMLElement {
  const canHear = can('GET /v1/recordings/:id/audio');
  return h(
    'table',
    { class: 'calls' },
    h('caption', { class: 'sr' }, t('calls')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        [t('time'), t('campaign'), t('customer'), t('phone'), t('state'), t('outcome'), t('pressed'), t('agent'), t('talk'), canHear ? t('recording') : null]
          .filter(Boolean)
          .map((x) => h('th', { scope: 'col' }, x)),
      ),
    ),
    h(
      'tbody',
      {},
      items.map((c) => {
        const rec = h('td', {});
        if (canHear && c.agentId) rec.append(h('button', { type: 'button', onclick: () => void playRecording(c.id, rec) }, t('play')));
        return h(
          'tr',
          {},
          h('td', {}, fmtTime(c.reservedAt)),
          h('td', {}, c.campaignId ?? ''),
          h('td', {}, can('GET /v1/customers/:id') ? h('a', { href: `#/customers/${c.customerId}` }, String(c.customerId)) : String(c.customerId)),
          h('td', {}, c.phone),
          h('td', {}, c.state),
          h('td', {}, c.outcome ?? ''),
          h('td', {}, c.digits),
          h('td', {}, c.agentId ?? ''),
          h('td', {}, c.talkMs === null ? '' : (c.talkMs / 1000).toFixed(1)),
          canHear ? rec : null,
        );
      }),
    ),
  );
}

/** The ledger: filters, keyset paging, and the same filters as a CSV download. */
export const callsPage: Page = (main) => {
  const campaign = h('input', { id: 'f-campaign', type: 'number', min: 1 });
  const outcome = h(
    'select',
    { id: 'f-outcome' },
    h('option', { value: '' }, t('any')),
    OUTCOMES.map((o) => h('option', { value: o }, o)),
  );
  const from = h('input', { id: 'f-from', type: 'datetime-local' });
  const to = h('input', { id: 'f-to', type: 'datetime-local' });
  const agent = h('input', { id: 'f-agent', type: 'number', min: 1 });
  const list = h('div', { 'aria-live': 'polite' });
  const csv = h('a', { class: 'button', download: 'calls.csv' }, t('exportCsv'));
  let cursor: string | null = null;

  const filters = () => ({
    campaignId: campaign.value,
    outcome: outcome.value,
    from: from.value ? new Date(from.value).toISOString() : '',
    to: to.value ? new Date(to.value).toISOString() : '',
    agentId: agent.value,
  });
  const load = async (more = false) => {
    const page = await api<ApiPage<Call>>('GET', `/v1/calls${qs({ ...filters(), limit: 50, cursor: more ? cursor : null })}`);
    cursor = page.nextCursor;
    const table = callsTable(page.items);
    if (more) list.querySelector('tbody')?.append(...table.querySelectorAll('tbody tr'));
    else replace(list, table);
    list.querySelector('.more')?.remove();
    if (cursor) list.append(h('button', { type: 'button', class: 'more', onclick: () => void load(true) }, t('more')));
    csv.href = `/v1/calls.csv${qs(filters())}`;
  };
  const lbl = (id: string, k: Parameters<typeof t>[0], el: HTMLElement) => h('div', { class: 'field' }, h('label', { for: id }, t(k)), el);
  replace(
    main,
    h('h1', {}, t('calls')),
    h(
      'form',
      {
        class: 'filters',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void load();
        },
      },
      lbl('f-campaign', 'campaign', campaign),
      lbl('f-outcome', 'outcome', outcome),
      lbl('f-from', 'from', from),
      lbl('f-to', 'to', to),
      lbl('f-agent', 'agent', agent),
      h('button', { type: 'submit' }, t('filter')),
      can('GET /v1/calls.csv') ? csv : null,
    ),
    h('div', { class: 'scroll' }, list),
  );
  void load();
};
