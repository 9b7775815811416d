import { api, can, qs, type Page as ApiPage } from '../api.js';
import { confirmDialog, fmtTime, h, replace } from '../dom.js';
import { t, type Key } from '../i18n.js';
import type { Page } from '../main.js';
import { callsTable, type Call } from './calls.js';

export interface Customer {
  id: number;
  externalId: string;
  name: string;
  phones: string[];
  masked: boolean;
  timeZone: string | null;
  locale: string;
  amountDue: string | null;
  currency: string | null;
  daysPastDue: number | null;
  riskScore: number | null;
  riskTier: string | null;
}

interface Eligibility {
  zones: string[];
  decision: { kind: 'allow' | 'defer' | 'block'; until?: string; rule?: string; reason?: string };
  rules: { rule: string; status: string; until?: string; detail: string; zone?: string }[];
}

export interface Disposition {
  kind: string;
  amount: string | null;
  promisedDate: string | null;
  callbackAt: string | null;
  note: string | null;
  agentId: number | null;
  createdAt: string;
}

/** What agents concluded on earlier calls: promises with amount and date, callbacks, disputes. */
export function dispositionsList(items: Disposition[]): HTMLElement {
  if (items.length === 0) return h('p', {}, '–');
  return h(
    'ul',
    { class: 'dispositions' },
    items.map((d) =>
      h(
        'li',
        {},
        h('strong', {}, t(d.kind as Key)),
        ' ',
        [d.amount, d.promisedDate, d.callbackAt ? fmtTime(d.callbackAt) : null, d.note].filter(Boolean).join(' · '),
        h('small', {}, ` (${fmtTime(d.createdAt)})`),
      ),
    ),
  );
}

/** Search (phone, external id, name), then one customer's card, attempts and "can we call now?". */
export const customersPage: Page = (main, _s, arg) => {
  const q = h('input', { id: 'cq', type: 'search', autocomplete: 'off', 'aria-describedby': 'cq-hint' });
  const results = h('div', { 'aria-live': 'polite' });
  let cursor: string | null = null;

  const row = (c: Customer) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, h('a', { href: `#/customers/${c.id}` }, c.name)),
      h('td', {}, c.externalId),
      h('td', {}, c.phones.join(', ')),
      h('td', {}, c.amountDue ? `${c.amountDue} ${c.currency ?? ''}` : ''),
      h('td', {}, c.riskScore ?? ''),
    );

  const search = async (more = false) => {
    if (!q.value.trim()) return;
    const page = await api<ApiPage<Customer>>('GET', `/v1/customers${qs({ q: q.value.trim(), limit: 25, cursor: more ? cursor : null })}`);
    cursor = page.nextCursor;
    let tbody = results.querySelector('tbody');
    if (!more || !tbody) {
      tbody = h('tbody');
      replace(
        results,
        page.items.length === 0
          ? h('p', {}, t('noResults'))
          : h(
              'table',
              {},
              h('caption', { class: 'sr' }, t('customers')),
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  [t('name'), 'ID', t('phones'), t('amountDue'), t('risk')].map((x) => h('th', { scope: 'col' }, x)),
                ),
              ),
              tbody,
            ),
      );
    }
    tbody.append(...page.items.map(row));
    results.querySelector('.more')?.remove();
    if (cursor) results.append(h('button', { type: 'button', class: 'more', onclick: () => void search(true) }, t('more')));
  };

  const form = h(
    'form',
    {
      role: 'search',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void search();
      },
    },
    h('label', { for: 'cq' }, t('search')),
    q,
    h('button', { type: 'submit' }, t('search')),
    h('small', { id: 'cq-hint' }, t('searchHint')),
  );
  replace(main, h('h1', {}, t('customers')), form, results);
  if (arg) void card(main, Number(arg));
};

async function card(main: HTMLElement, id: number): Promise<void> {
  const c = await api<Customer>('GET', `/v1/customers/${id}`);
  const section = h('section', { class: 'card', 'aria-label': `${t('customer')} ${c.name}` });
  const dl = h(
    'dl',
    {},
    [
      [t('name'), c.name],
      ['ID', c.externalId],
      [t('phones'), c.phones.join(', ')],
      [t('amountDue'), c.amountDue ? `${c.amountDue} ${c.currency ?? ''}` : ''],
      [t('daysPastDue'), String(c.daysPastDue ?? '')],
      [t('risk'), `${c.riskScore ?? ''} ${c.riskTier ?? ''}`],
      [t('zone'), c.timeZone ?? ''],
    ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );
  replace(section, h('h2', {}, `${t('customer')}: ${c.name}`), dl);
  main.append(section);

  if (can('GET /v1/customers/:id/eligibility')) {
    const e = await api<Eligibility>('GET', `/v1/customers/${id}/eligibility`);
    const zone = e.zones[0];
    section.append(
      h('h3', {}, t('canCall')),
      h(
        'p',
        { class: `decision ${e.decision.kind}`, 'data-decision': e.decision.kind },
        e.decision.kind === 'allow' ? t('yes') : `${t('notNow')}: ${e.decision.rule ?? ''} — ${e.decision.reason ?? ''}`,
      ),
      ...(e.decision.until
        ? [h('p', { class: 'next' }, t('nextAllowed', { customer: fmtTime(e.decision.until, zone), zone: zone ?? '?', operator: fmtTime(e.decision.until) }))]
        : []),
      h(
        'table',
        { class: 'rules' },
        h('caption', { class: 'sr' }, t('canCall')),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('rule')), h('th', { scope: 'col' }, t('result')), h('th', { scope: 'col' }, t('message')))),
        h(
          'tbody',
          {},
          e.rules.map((r) => h('tr', { class: r.status }, h('th', { scope: 'row' }, r.rule), h('td', {}, r.status), h('td', {}, r.detail))),
        ),
      ),
    );
  }
  if (can('GET /v1/calls')) {
    const calls = await api<ApiPage<Call>>('GET', `/v1/calls${qs({ customerId: id, limit: 50 })}`);
    section.append(h('h3', {}, t('attempts')), callsTable(calls.items));
  }
  const disp = await api<{ items: Disposition[] }>('GET', `/v1/customers/${id}/dispositions`);
  section.append(h('h3', {}, t('dispositions')), dispositionsList(disp.items));
  const dnc = h('div', { class: 'row' });
  section.append(dnc);
  const renderDnc = async () => {
    const entries = can('GET /v1/dnc') ? (await api<ApiPage<{ id: number }>>('GET', `/v1/dnc${qs({ customerId: id, active: 'true' })}`)).items : [];
    replace(
      dnc,
      entries.length > 0 ? h('strong', {}, t('onDnc')) : null,
      entries.length === 0 && can('POST /v1/dnc')
        ? h(
            'button',
            {
              type: 'button',
              onclick: async () => {
                if (!(await confirmDialog(`${t('addDnc')}: ${c.name}?`, t('addDnc'), t('no')))) return;
                await api('POST', '/v1/dnc', { customerId: id, reason: 'console', source: 'operator' });
                await renderDnc();
              },
            },
            t('addDnc'),
          )
        : null,
      entries.length > 0 && can('DELETE /v1/dnc/:id')
        ? h(
            'button',
            {
              type: 'button',
              onclick: async () => {
                if (!(await confirmDialog(`${t('removeDnc')}: ${c.name}?`, t('removeDnc'), t('no')))) return;
                for (const e of entries) await api('DELETE', `/v1/dnc/${e.id}`);
                await renderDnc();
              },
            },
            t('removeDnc'),
          )
        : null,
    );
  };
  await renderDnc();
  section.querySelector('h2')?.setAttribute('tabindex', '-1');
}
