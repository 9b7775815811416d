import { h } from './dom.js';
import { t } from './i18n.js';

/** Small inline SVG charts: no chart library (the first load stays small), a text summary for screen readers. */
const NS = 'http://www.w3.org/2000/svg';
type SvgAttrs = Record<string, string | number>;

function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: SvgAttrs = {}, ...children: (SVGElement | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

export interface Series {
  name: string;
  points: { x: string; y: number }[];
}

const W = 560;
const H = 180;
const PAD = { l: 40, r: 10, t: 10, b: 28 };
const COLORS = ['#0b57d0', '#b3261e', '#146c2e', '#8a5300', '#6f2da8', '#00677f', '#5c5c5c'];

/**
 * Lines (`kind: 'line'`) or stacked bars (`kind: 'bar'`) over shared x labels. `band` shades the
 * x labels where something holds (the calling window): bars outside it stand out.
 */
export function chart(o: { title: string; kind: 'line' | 'bar'; series: Series[]; yMax?: number; band?: (x: string) => boolean }): HTMLElement {
  const xs = [...new Set(o.series.flatMap((se) => se.points.map((p) => p.x)))].sort();
  const stacked = new Map<string, number>();
  for (const se of o.series) for (const p of se.points) stacked.set(p.x, (stacked.get(p.x) ?? 0) + p.y);
  const top = o.yMax ?? Math.max(1, ...(o.kind === 'bar' ? stacked.values() : o.series.flatMap((se) => se.points.map((p) => p.y))));
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const step = xs.length > 0 ? iw / xs.length : iw;
  const xAt = (x: string) => PAD.l + xs.indexOf(x) * step + step / 2;
  const yAt = (y: number) => PAD.t + ih - (y / top) * ih;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-label': summary(o.title, xs) });
  if (o.band)
    for (const x of xs) if (o.band(x)) svg.append(s('rect', { x: xAt(x) - step / 2, y: PAD.t, width: step, height: ih, fill: '#eef3fd', class: 'band' }));
  svg.append(
    s('line', { x1: PAD.l, y1: PAD.t + ih, x2: W - PAD.r, y2: PAD.t + ih, stroke: '#8a8a8a' }),
    s('text', { x: PAD.l - 4, y: PAD.t + 8, 'text-anchor': 'end', 'font-size': 10 }, fmt(top)),
    s('text', { x: PAD.l - 4, y: PAD.t + ih, 'text-anchor': 'end', 'font-size': 10 }, '0'),
  );
  const every = Math.max(1, Math.ceil(xs.length / 8));
  xs.forEach((x, i) => i % every === 0 && svg.append(s('text', { x: xAt(x), y: H - 8, 'text-anchor': 'middle', 'font-size': 10 }, x)));
  const base = new Map<string, number>();
  o.series.forEach((se, i) => {
    const color = COLORS[i % COLORS.length]!;
    if (o.kind === 'line') {
      const pts = se.points.map((p) => `${xAt(p.x).toFixed(1)},${yAt(p.y).toFixed(1)}`).join(' ');
      svg.append(s('polyline', { points: pts, fill: 'none', stroke: color, 'stroke-width': 2, class: 'series', 'data-series': se.name }));
      for (const p of se.points) svg.append(s('circle', { cx: xAt(p.x), cy: yAt(p.y), r: 3, fill: color }, s('title', {}, `${se.name} ${p.x}: ${fmt(p.y)}`)));
    } else {
      for (const p of se.points) {
        const b = base.get(p.x) ?? 0;
        base.set(p.x, b + p.y);
        const y = yAt(b + p.y);
        svg.append(
          s(
            'rect',
            {
              x: xAt(p.x) - Math.min(step * 0.4, 24),
              y,
              width: Math.min(step * 0.8, 48),
              height: Math.max(0, yAt(b) - y),
              fill: color,
              class: 'series',
              'data-series': se.name,
            },
            s('title', {}, `${se.name} ${p.x}: ${fmt(p.y)}`),
          ),
        );
      }
    }
  });
  const legend = h(
    'ul',
    { class: 'legend' },
    o.series.map((se, i) => h('li', { 'data-color': String(i % COLORS.length) }, se.name)),
  );
  const fig = h('figure', { class: 'chart' }, h('figcaption', {}, o.title), legend);
  fig.insertBefore(svg, legend);
  return fig;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const summary = (title: string, xs: string[]) => t('chartOf', { what: title, n: xs.length, first: xs[0] ?? '–', last: xs[xs.length - 1] ?? '–' });
