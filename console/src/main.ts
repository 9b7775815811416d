import { api, ApiError, can, useSession, type Session } from './api.js';
import { h, replace } from './dom.js';
import { currentLang, initialLang, setLang, t, type Key, type Lang } from './i18n.js';
import { campaignsPage } from './pages/campaigns.js';
import { customersPage } from './pages/customers.js';
import { callsPage } from './pages/calls.js';
import { agentsPage } from './pages/agents.js';
import { deskPage } from './pages/desk.js';
import { qualityPage } from './pages/quality.js';
import { schedulesPage } from './pages/schedules.js';
import { chartsPage } from './pages/charts.js';

/** A page renders into `main` and returns what to stop when the user leaves it (streams, timers). */
export type Page = (main: HTMLElement, session: Session, arg: string | undefined) => (() => void) | void;

const PAGES: { path: string; label: Key; needs: string; page: Page }[] = [
  { path: 'campaigns', label: 'campaigns', needs: 'GET /v1/campaigns', page: campaignsPage },
  { path: 'customers', label: 'customers', needs: 'GET /v1/customers', page: customersPage },
  { path: 'calls', label: 'calls', needs: 'GET /v1/calls', page: callsPage },
  { path: 'agents', label: 'agents', needs: 'GET /v1/agents', page: agentsPage },
  { path: 'quality', label: 'quality', needs: 'GET /v1/quality/scores', page: qualityPage },
  { path: 'charts', label: 'charts', needs: 'GET /v1/campaigns/:id/series', page: chartsPage },
  { path: 'schedules', label: 'schedules', needs: 'GET /v1/schedules', page: schedulesPage },
  { path: 'desk', label: 'desk', needs: 'POST /v1/agents/:id/login', page: deskPage },
];

const root = document.getElementById('app')!;
let session: Session | null = null;
let leave: (() => void) | void;

function visiblePages(s: Session) {
  // The desk is the agent's page; supervisors reach agents through the board.
  const pages = PAGES.filter((p) => can(p.needs) && (p.path !== 'desk' || s.role === 'agent'));
  // An agent starts at the desk: that is where calls arrive.
  return s.role === 'agent' ? [...pages.filter((p) => p.path === 'desk'), ...pages.filter((p) => p.path !== 'desk')] : pages;
}

function langSwitch(): HTMLElement {
  const sel = h(
    'select',
    {
      id: 'lang',
      onchange: () => {
        setLang(sel.value as Lang);
        render();
      },
    },
    h('option', { value: 'en' }, 'English'),
    h('option', { value: 'zh-CN' }, '中文'),
  );
  sel.value = currentLang();
  return h('span', { class: 'lang' }, h('label', { for: 'lang', class: 'sr' }, t('language')), sel);
}

function loginView(message?: string): void {
  const key = h('input', { id: 'apikey', type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'apikey-hint login-err' });
  const err = h('p', { id: 'login-err', class: 'error', role: 'alert' }, message ?? '');
  const form = h(
    'form',
    {
      class: 'login',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        try {
          session = await api<Session>('POST', '/v1/session', { apiKey: key.value });
          key.value = '';
          start();
        } catch (x) {
          err.textContent = x instanceof ApiError ? t('error', { m: x.message }) : String(x);
        }
      },
    },
    h('h1', {}, t('title')),
    h('label', { for: 'apikey' }, t('apiKey')),
    key,
    h('small', { id: 'apikey-hint' }, t('apiKeyHint')),
    err,
    h('button', { type: 'submit', class: 'primary' }, t('signIn')),
  );
  replace(root, h('main', { id: 'main' }, langSwitch(), form));
  key.focus();
}

/** Stops what the current page runs (event streams, the browser phone's registration). */
function leavePage(): void {
  if (leave) leave();
  leave = undefined;
}

async function signOut(): Promise<void> {
  leavePage();
  await api('DELETE', '/v1/session').catch(() => undefined);
  session = null;
  useSession(null);
  location.hash = '';
  loginView();
}

function render(): void {
  if (!session) return loginView();
  leavePage();
  const pages = visiblePages(session);
  const [path, arg] = location.hash.replace(/^#\/?/, '').split('/');
  const current = pages.find((p) => p.path === path) ?? pages[0];
  const main = h('main', { id: 'main', tabindex: '-1' });
  const nav = h(
    'nav',
    { 'aria-label': 'main' },
    pages.map((p) => h('a', { href: `#/${p.path}`, 'aria-current': p === current ? 'page' : null }, t(p.label))),
  );
  const header = h(
    'header',
    {},
    h('strong', { class: 'brand' }, t('title')),
    nav,
    h('span', { class: 'who' }, `${t('role')}: ${session.role}`),
    langSwitch(),
    h('button', { type: 'button', onclick: () => void signOut() }, t('signOut')),
  );
  replace(root, header, session.role === 'viewer' ? h('p', { class: 'notice' }, t('readOnly')) : null, main);
  if (current) leave = current.page(main, session, arg);
}

function start(): void {
  useSession(session, () => {
    leavePage();
    session = null;
    loginView();
  });
  render();
}

window.addEventListener('hashchange', render);
setLang(initialLang());
api<Session>('GET', '/v1/session')
  .then((s) => {
    session = s;
    start();
  })
  .catch(() => loginView());
