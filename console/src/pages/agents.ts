import { api, can } from '../api.js';
import { confirmDialog, h, replace } from '../dom.js';
import { pt } from '../softphone/softphone.i18n.js';
import { t } from '../i18n.js';
import type { Page } from '../main.js';

interface Agent {
  id: number;
  name: string;
  sipUsername: string;
  state: string;
  pauseReason: string | null;
  stateSince: string;
  registered: boolean;
  currentAttemptId: string | null;
}

const since = (iso: string) => {
  const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  return s < 90 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
};

/** The live board (Server-Sent Events): every agent's state, current call and time in state; supervisors act on them. */
export const agentsPage: Page = (main) => {
  const tbody = h('tbody');
  const out = h('div', { role: 'status' });
  const act = async (a: Agent, action: 'pause' | 'logout') => {
    if (!(await confirmDialog(`${t(action === 'pause' ? 'pause' : 'logout')}: ${a.name}?`, t(action === 'pause' ? 'pause' : 'logout'), t('no')))) return;
    await api('POST', `/v1/agents/${a.id}/${action}`, action === 'pause' ? { reason: 'supervisor' } : {}).catch(
      (e: Error) => (out.textContent = t('error', { m: e.message })),
    );
  };
  let agents: Agent[] = [];
  const render = () =>
    replace(
      tbody,
      agents.map((a) =>
        h(
          'tr',
          { 'data-agent': a.id },
          h('th', { scope: 'row' }, a.name),
          h('td', {}, a.sipUsername),
          h('td', {}, a.registered ? '✓' : '–'),
          h('td', { 'data-col': 'state' }, a.state + (a.pauseReason ? ` (${a.pauseReason})` : '')),
          h('td', { 'data-col': 'since', 'data-since': a.stateSince }, since(a.stateSince)),
          h('td', { 'data-col': 'call' }, a.currentAttemptId ?? ''),
          h(
            'td',
            { class: 'actions' },
            can('POST /v1/agents/:id/pause') && ['available', 'wrap_up'].includes(a.state)
              ? h('button', { type: 'button', onclick: () => void act(a, 'pause'), 'aria-label': `${t('pause')}: ${a.name}` }, t('pause'))
              : null,
            can('POST /v1/agents/:id/logout') && ['available', 'paused', 'wrap_up'].includes(a.state)
              ? h('button', { type: 'button', onclick: () => void act(a, 'logout'), 'aria-label': `${t('logout')}: ${a.name}` }, t('logout'))
              : null,
          ),
        ),
      ),
    );
  // The board arrives by Server-Sent Events on every change; only the "in state" clocks tick here.
  const stream = new EventSource('/v1/agents/live');
  stream.addEventListener('update', (e) => {
    agents = (JSON.parse((e as MessageEvent<string>).data) as { agents: Agent[] }).agents;
    const focused = document.activeElement?.getAttribute('aria-label');
    render();
    if (focused) (tbody.querySelector(`button[aria-label="${CSS.escape(focused)}"]`) as HTMLElement | null)?.focus();
  });
  const clock = setInterval(() => {
    for (const td of tbody.querySelectorAll<HTMLElement>('td[data-since]')) td.textContent = since(td.dataset['since']!);
  }, 1000);
  const name = h('input', { id: 'agent-name', required: true });
  const webrtc = h('input', { id: 'agent-webrtc', type: 'checkbox' });
  const create = can('POST /v1/agents')
    ? h(
        'form',
        {
          class: 'row',
          onsubmit: async (e: Event) => {
            e.preventDefault();
            try {
              const r = await api<{ sip: { username: string; password: string }; apiKey: { key: string } }>('POST', '/v1/agents', {
                name: name.value,
                softphone: webrtc.checked ? 'webrtc' : 'sip',
              });
              replace(out, h('p', { class: 'secret' }, t('credentialsOnce', { user: r.sip.username, password: r.sip.password, key: r.apiKey.key })));
              name.value = '';
            } catch (x) {
              out.textContent = t('error', { m: (x as Error).message });
            }
          },
        },
        h('label', { for: 'agent-name' }, t('name')),
        name,
        h('label', {}, webrtc, ' ', pt('webrtcAgent')),
        h('button', { type: 'submit' }, t('createAgent')),
      )
    : null;
  replace(
    main,
    h('h1', {}, t('agents')),
    create,
    out,
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        {},
        h('caption', { class: 'sr' }, t('agents')),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [t('name'), 'SIP', t('registered'), t('state'), t('timeInState'), t('currentCall'), t('actions')].map((x) => h('th', { scope: 'col' }, x)),
          ),
        ),
        tbody,
      ),
    ),
  );
  return () => {
    stream.close();
    clearInterval(clock);
  };
};
