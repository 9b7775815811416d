import { api, qs, type Page as ApiPage } from '../api.js';
import { chart, type Series } from '../chart.js';
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import type { Page } from '../main.js';

interface Point {
  at: string;
  calls: number;
  outcomes: Record<string, number>;
}
interface Hourly {
  window: { start: string; end: string };
  items: { hour: number; attempts: number; inWindow: boolean }[];
}

const MINUTE = 60_000;
const pad = (n: number) => String(n).padStart(2, '0');
const label = (d: Date, hourly: boolean) =>
  hourly ? `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}h` : `${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** Every bucket from the first to the last, empty ones as 0: a gap in calling shows as a dip, not a jump. */
function filled(items: Point[], step: number, hourly: boolean): { x: string; p: Point | undefined }[] {
  if (items.length === 0) return [];
  const byAt = new Map(items.map((p) => [new Date(p.at).getTime(), p]));
  const out = [];
  for (let at = new Date(items[0]!.at).getTime(); at <= new Date(items[items.length - 1]!.at).getTime(); at += step)
    out.push({ x: label(new Date(at), hourly), p: byAt.get(at) });
  return out;
}

async function render(box: HTMLElement, id: number): Promise<void> {
  // The page shows the first campaign at once, then the one chosen: only the last campaign asked
  // for may draw (a slow answer for the first one used to overwrite the chosen one's charts).
  box.dataset.want = String(id);
  let s = await api<{ items: Point[] }>('GET', `/v1/campaigns/${id}/series${qs({ bucket: 'minute' })}`);
  const first = s.items[0];
  const last = s.items[s.items.length - 1];
  const hourly = !!first && !!last && new Date(last.at).getTime() - new Date(first.at).getTime() > 240 * MINUTE;
  if (hourly) s = await api('GET', `/v1/campaigns/${id}/series${qs({ bucket: 'hour' })}`);
  const buckets = filled(s.items, hourly ? 60 * MINUTE : MINUTE, hourly);
  const outcomes = [...new Set(s.items.flatMap((p) => Object.keys(p.outcomes)))].sort();
  const byOutcome: Series[] = outcomes.map((o) => ({ name: o, points: buckets.map((b) => ({ x: b.x, y: b.p?.outcomes[o] ?? 0 })) }));
  const hours = await api<Hourly>('GET', `/v1/campaigns/${id}/attempts-by-hour`);
  if (box.dataset.want !== String(id)) return;
  box.dataset.campaign = String(id);
  const hx = (hr: number) => `${pad(hr)}`;
  replace(
    box,
    buckets.length === 0
      ? h('p', {}, t('noCallsYet'))
      : [
          chart({
            title: t(hourly ? 'callsPerHour' : 'callsPerMinute'),
            kind: 'line',
            series: [{ name: t('calls'), points: buckets.map((b) => ({ x: b.x, y: b.p?.calls ?? 0 })) }],
          }),
          chart({ title: t('outcomesOverTime'), kind: 'bar', series: byOutcome }),
        ],
    chart({
      title: t('attemptsPerHour', { start: hours.window.start, end: hours.window.end }),
      kind: 'bar',
      series: [{ name: t('attempts'), points: hours.items.map((i) => ({ x: hx(i.hour), y: i.attempts })) }],
      band: (x) => hours.items[Number(x)]?.inWindow ?? false,
    }),
  );
}

/** Charts for one campaign: calls per minute, outcomes over time, attempts per local hour against the calling window. */
export const chartsPage: Page = (main, _session, arg) => {
  const select = h('select', { id: 'chart-campaign' });
  const box = h('div', { 'aria-live': 'polite' });
  const show = () => {
    if (!select.value) return;
    if (location.hash !== `#/charts/${select.value}`) history.replaceState(null, '', `#/charts/${select.value}`);
    void render(box, Number(select.value));
  };
  select.addEventListener('change', show);
  replace(
    main,
    h('h1', {}, t('charts')),
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field' }, h('label', { for: 'chart-campaign' }, t('campaign')), select),
      h('button', { type: 'button', onclick: show }, t('refresh')),
    ),
    box,
  );
  void api<ApiPage<{ id: number; name: string }>>('GET', '/v1/campaigns?limit=200').then((p) => {
    select.append(...p.items.map((c) => h('option', { value: c.id }, `${c.name} (#${c.id})`)));
    if (arg && p.items.some((c) => String(c.id) === arg)) select.value = arg;
    show();
  });
};
