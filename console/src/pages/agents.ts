import { api, can, type Page as ApiPage } from '../api.js';
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

/** The live board: every agent's state, current call and time in state; supervisors act on them. */
export const agentsPage: Page = (main) => {
  const tbody = h('tbody');
  const out = h('div', { role: 'status' });
  const act = async (a: Agent, action: 'pause' | 'logout') => {
    if (!(await confirmDialog(`${t(action === 'pause' ? 'pause' : 'logout')}: ${a.name}?`, t(action === 'pause' ? 'pause' : 'logout'), t('no')))) return;
    await api('POST', `/v1/agents/${a.id}/${action}`, action === 'pause' ? { reason: 'supervisor' } : {}).catch(
      (e: Error) => (out.textContent = t('error', { m: e.message })),
    );
    await load();
  };
  const load = async () => {
    const page = await api<ApiPage<Agent>>('GET', '/v1/agents?limit=200');
    replace(
      tbody,
      page.items.map((a) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, a.name),
          h('td', {}, a.sipUsername),
          h('td', {}, a.registered ? '✓' : '–'),
          h('td', {}, a.state + (a.pauseReason ? ` (${a.pauseReason})` : '')),
          h('td', {}, since(a.stateSince)),
          h('td', {}, a.currentAttemptId ?? ''),
          h(
            'td',
            {},
            can('POST /v1/agents/:id/pause') && ['available', 'wrap_up'].includes(a.state)
              ? h('button', { type: 'button', onclick: () => void act(a, 'pause') }, t('pause'))
              : null,
            can('POST /v1/agents/:id/logout') && ['available', 'paused', 'wrap_up'].includes(a.state)
              ? h('button', { type: 'button', onclick: () => void act(a, 'logout') }, t('logout'))
              : null,
          ),
        ),
      ),
    );
  };
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
              await load();
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
  void load();
  const timer = setInterval(() => void load(), 2000);
  return () => clearInterval(timer);
};
