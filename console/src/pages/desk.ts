import { api, ApiError, can } from '../api.js';
import { field, h, replace } from '../dom.js';
import { t, type Key } from '../i18n.js';
import type { Page } from '../main.js';
import { dispositionsList, type Disposition } from './customers.js';
import { softphonePanel } from '../softphone/softphone-panel.js';

interface Card {
  attemptId: string;
  customerId: number;
  name: string;
  amountDue: string | null;
  currency: string | null;
  daysPastDue: number | null;
  riskScore: number | null;
  campaignId: number | null;
}

const KINDS = ['promise_to_pay', 'paid', 'callback', 'dispute', 'wrong_party', 'refused'] as const;
/** Which inputs each kind takes (the API refuses the others with field_not_allowed). */
const FIELDS: Record<(typeof KINDS)[number], string[]> = {
  promise_to_pay: ['amount', 'date', 'note'],
  paid: ['amount', 'note'],
  callback: ['callbackAt', 'note'],
  dispute: ['note'],
  wrong_party: ['note'],
  refused: ['note'],
};

/** The agent's desk: own state, the screen-pop card on a bridged call, the disposition form. */
export const deskPage: Page = (main) => {
  const stateLine = h('p', { role: 'status', class: 'state' });
  const controls = h('div', { class: 'row' });
  const cardBox = h('section', { class: 'card', 'aria-live': 'assertive', 'aria-label': t('card') }, h('p', {}, t('waiting')));
  const msg = h('p', { role: 'status' });
  const act = async (action: 'login' | 'resume' | 'pause' | 'logout', body: unknown = undefined) => {
    try {
      await api('POST', `/v1/agents/me/${action}`, body);
    } catch (e) {
      msg.textContent = t('error', { m: (e as Error).message });
    }
  };
  const reason = h('input', { id: 'pause-reason', value: 'break' });
  const renderControls = (state: string) => {
    stateLine.textContent = t('myState', { state });
    replace(
      controls,
      state === 'offline' ? h('button', { type: 'button', class: 'primary', onclick: () => void act('login') }, t('login')) : null,
      state === 'paused' ? h('button', { type: 'button', class: 'primary', onclick: () => void act('resume') }, t('available')) : null,
      ['available', 'wrap_up'].includes(state)
        ? [
            h('label', { for: 'pause-reason' }, t('pauseReason')),
            reason,
            h('button', { type: 'button', onclick: () => void act('pause', { reason: reason.value || 'break' }) }, t('pause')),
          ]
        : null,
      ['available', 'paused', 'wrap_up'].includes(state) ? h('button', { type: 'button', onclick: () => void act('logout') }, t('logout')) : null,
    );
  };

  const showCard = async (c: Card) => {
    const call = await api<{ digits: string }>('GET', `/v1/calls/${c.attemptId}`).catch(() => ({ digits: '' }));
    const earlier = await api<{ items: Disposition[] }>('GET', `/v1/customers/${c.customerId}/dispositions`).catch(() => ({ items: [] }));
    // The campaign's script in the customer's language, filled in by the API.
    const script = await api<{ locale: string; steps: { title: string; text: string }[] }>('GET', `/v1/calls/${c.attemptId}/script`).catch(() => ({
      locale: '',
      steps: [],
    }));
    const kind = h(
      'select',
      { id: 'd-kind', name: 'kind' },
      KINDS.map((k) => h('option', { value: k }, t(k as Key))),
    );
    const inputs: Record<string, HTMLInputElement> = {
      amount: h('input', { name: 'amount', inputmode: 'decimal', pattern: '[0-9]+(\\.[0-9]{1,2})?' }),
      date: h('input', { name: 'date', type: 'date' }),
      callbackAt: h('input', { name: 'callbackAt', type: 'datetime-local' }),
      note: h('input', { name: 'note', maxlength: 1000 }),
    };
    const labels: Record<string, Key> = { amount: 'amount', date: 'date', callbackAt: 'callbackAt', note: 'note' };
    const wraps = Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, field(t(labels[k]!), el).wrap]));
    const sync = () => {
      for (const [k, w] of Object.entries(wraps)) w.hidden = !FIELDS[kind.value as (typeof KINDS)[number]].includes(k);
    };
    kind.addEventListener('change', sync);
    sync();
    const out = h('p', { role: 'status' });
    const form = h(
      'form',
      {
        'aria-label': t('disposition'),
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const k = kind.value as (typeof KINDS)[number];
          const body: Record<string, string> = { kind: k };
          for (const f of FIELDS[k]) {
            const v = inputs[f]!.value.trim();
            if (v) body[f] = f === 'callbackAt' ? new Date(v).toISOString() : v;
          }
          try {
            await api('POST', `/v1/calls/${c.attemptId}/disposition`, body);
            out.textContent = t('saved');
            form.querySelector('button')!.disabled = true;
          } catch (x) {
            out.textContent = t('error', { m: x instanceof ApiError ? x.message : String(x) });
          }
        },
      },
      h('h3', {}, t('disposition')),
      field(t('kind'), kind).wrap,
      Object.values(wraps),
      h('button', { type: 'submit', class: 'primary' }, t('saveDisposition')),
      out,
    );
    replace(
      cardBox,
      h('h2', {}, `${t('card')}: ${c.name}`),
      h(
        'dl',
        {},
        [
          [t('amountDue'), `${c.amountDue ?? ''} ${c.currency ?? ''}`],
          [t('daysPastDue'), String(c.daysPastDue ?? '')],
          [t('risk'), String(c.riskScore ?? '')],
          [t('pressed'), call.digits || '–'],
          [t('campaign'), String(c.campaignId ?? '')],
        ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
      ),
      h('h3', {}, t('promises')),
      dispositionsList(earlier.items.filter((d) => d.kind === 'promise_to_pay' || d.kind === 'callback' || d.kind === 'paid')),
      h(
        'div',
        { class: 'split' },
        form,
        h(
          'aside',
          { 'aria-label': t('script'), lang: script.locale || null },
          h('h3', {}, t('script')),
          h(
            'ol',
            {},
            script.steps.map((s) => h('li', {}, h('strong', {}, s.title), ' ', s.text)),
          ),
        ),
      ),
    );
  };

  const stream = new EventSource('/v1/agents/me/events');
  stream.addEventListener('state', (e) => renderControls((JSON.parse((e as MessageEvent<string>).data) as { state: string }).state));
  stream.addEventListener('customer_card', (e) => void showCard(JSON.parse((e as MessageEvent<string>).data) as Card));
  const phoneBox = h('div');
  replace(main, h('h1', {}, t('desk')), stateLine, controls, msg, phoneBox, cardBox);
  // The browser phone, for agents provisioned for it (softphone "webrtc").
  let phone: ReturnType<typeof softphonePanel> | null = null;
  let left = false;
  if (can('POST /v1/agents/:id/softphone'))
    void api<{ softphone: string }>('GET', '/v1/agents/me')
      .then((me) => {
        if (me.softphone !== 'webrtc' || left) return;
        phone = softphonePanel();
        phoneBox.append(phone.el);
      })
      .catch(() => undefined);
  return () => {
    left = true;
    stream.close();
    phone?.stop();
  };
};
