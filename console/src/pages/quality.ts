import { api, can, qs, type Page as ApiPage } from '../api.js';
import { chart } from '../chart.js';
import { field, fmtTime, h, replace } from '../dom.js';
import { t, type Key } from '../i18n.js';
import { opsEn } from '../i18n.ops.js';
import type { Page } from '../main.js';

interface Reviewable {
  attemptId: string;
  recordingId: number;
  campaignId: number | null;
  agentId: number;
  agentName: string;
  reservedAt: string;
  talkMs: number | null;
  outcome: string | null;
  reviews: number;
}
interface Item {
  id: string;
  label: string;
  critical: boolean;
}
interface ScorePoint {
  agentId: number;
  agentName: string;
  day: string;
  reviews: number;
  score: number;
}

/** A built-in item in the reader's language; a campaign's own item as its author wrote it. */
const itemLabel = (i: Item) => {
  const k = `q_${i.id}` as Key;
  return k in opsEn && opsEn[k as keyof typeof opsEn] === i.label ? t(k) : i.label;
};
const zone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** The review form: listen, answer each checklist item (met / not met / not applicable), comment, save. */
async function reviewPanel(panel: HTMLElement, call: Reviewable, onSaved: (attemptId: string) => void): Promise<void> {
  const list = call.campaignId ? await api<{ items: Item[] }>('GET', `/v1/campaigns/${call.campaignId}/checklist`) : null;
  const items = list?.items ?? [];
  const heading = t('reviewOf', { agent: call.agentName, time: fmtTime(call.reservedAt) });
  const out = h('p', { role: 'status' });
  const comment = h('textarea', { rows: 3, maxlength: 4000 });
  const choice = (item: Item, value: string, label: Key) => {
    const id = `q-${item.id}-${value}`;
    return h('label', { for: id }, h('input', { type: 'radio', id, name: `q-${item.id}`, value, required: true }), ' ', t(label));
  };
  const form = h(
    'form',
    {
      class: 'editor',
      'aria-label': t('review'),
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const answers: Record<string, boolean | null> = {};
        for (const i of items) {
          const v = (form.querySelector(`input[name="q-${i.id}"]:checked`) as HTMLInputElement | null)?.value;
          answers[i.id] = v === 'met' ? true : v === 'not' ? false : null;
        }
        try {
          const r = await api<{ score: number }>('POST', '/v1/quality/reviews', { attemptId: call.attemptId, answers, comment: comment.value || null });
          out.className = 'ok';
          out.textContent = t('scoreSaved', { score: r.score });
          onSaved(call.attemptId);
        } catch (x) {
          out.className = 'error';
          out.textContent = t('error', { m: (x as Error).message });
        }
      },
    },
    items.map((i) =>
      h(
        'fieldset',
        { class: 'item' },
        h('legend', {}, itemLabel(i), i.critical ? h('small', {}, ` (${t('critical')})`) : null),
        choice(i, 'met', 'met'),
        choice(i, 'not', 'notMet'),
        choice(i, 'na', 'notApplicable'),
      ),
    ),
    field(t('comment'), comment).wrap,
    can('POST /v1/quality/reviews') ? h('button', { type: 'submit', class: 'primary' }, t('saveScore')) : null,
    out,
  );
  replace(
    panel,
    h('h2', { id: 'review-h', tabindex: '-1' }, heading),
    h('audio', { controls: true, preload: 'metadata', src: `/v1/recordings/${call.recordingId}/audio`, 'aria-label': `${t('recording')}: ${heading}` }),
    form,
  );
  (panel.querySelector('#review-h') as HTMLElement).focus();
}

/** Scores over time: one line per agent (0-100 per day), and the same numbers as a table. */
async function scoresView(box: HTMLElement): Promise<void> {
  const { items } = await api<{ items: ScorePoint[] }>('GET', `/v1/quality/scores${qs({ timeZone: zone() })}`);
  if (items.length === 0) return replace(box, h('p', {}, t('noScores')));
  const byAgent = new Map<string, ScorePoint[]>();
  for (const p of items) byAgent.set(p.agentName, [...(byAgent.get(p.agentName) ?? []), p]);
  const series = [...byAgent].map(([name, pts]) => ({ name, points: pts.map((p) => ({ x: p.day, y: p.score })) }));
  replace(
    box,
    chart({ title: `${t('score')} (0–100)`, kind: 'line', series, yMax: 100 }),
    h(
      'table',
      { class: 'scores' },
      h('caption', { class: 'sr' }, t('scoresOverTime')),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [t('agent'), t('day'), t('reviews'), t('score')].map((x) => h('th', { scope: 'col' }, x)),
        ),
      ),
      h(
        'tbody',
        {},
        items.map((p) =>
          h('tr', { 'data-agent': p.agentId }, h('th', { scope: 'row' }, p.agentName), h('td', {}, p.day), h('td', {}, p.reviews), h('td', {}, p.score)),
        ),
      ),
    ),
  );
}

/** Supervisors pick recorded agent calls (newest or at random), listen and score them; everyone allowed sees the trend. */
export const qualityPage: Page = (main) => {
  const scores = h('div');
  const panel = h('section', { class: 'panel', 'aria-live': 'polite' });
  // After a save: the trend moves, and the call's review count in the list too.
  const refreshScores = (attemptId?: string) => {
    void scoresView(scores);
    const cell = attemptId ? main.querySelector<HTMLElement>(`tr[data-attempt="${attemptId}"] td[data-col=reviews]`) : null;
    if (cell) cell.textContent = String(Number(cell.textContent) + 1);
  };
  let picker: HTMLElement | null = null;
  if (can('GET /v1/quality/calls')) {
    const campaign = h('input', { id: 'q-campaign', type: 'number', min: 1 });
    const agent = h('select', { id: 'q-agent' }, h('option', { value: '' }, t('any')));
    const unreviewed = h('input', { id: 'q-unreviewed', type: 'checkbox' });
    const list = h('div', { 'aria-live': 'polite' });
    void api<ApiPage<{ id: number; name: string }>>('GET', '/v1/agents?limit=200').then((p) =>
      agent.append(...p.items.map((a) => h('option', { value: a.id }, a.name))),
    );
    const load = async (random: boolean) => {
      const { items } = await api<{ items: Reviewable[] }>(
        'GET',
        `/v1/quality/calls${qs({ campaignId: campaign.value, agentId: agent.value, unreviewed: unreviewed.checked ? 'true' : '', random: random ? 'true' : '', limit: random ? 1 : 20 })}`,
      );
      if (items.length === 0) return replace(list, h('p', {}, t('noCalls')));
      replace(
        list,
        h(
          'table',
          { class: 'review-calls' },
          h('caption', { class: 'sr' }, t('toReview')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [t('time'), t('campaign'), t('agent'), t('talk'), t('reviews'), t('actions')].map((x) => h('th', { scope: 'col' }, x)),
            ),
          ),
          h(
            'tbody',
            {},
            items.map((c) =>
              h(
                'tr',
                { 'data-attempt': c.attemptId },
                h('td', {}, fmtTime(c.reservedAt)),
                h('td', {}, c.campaignId ?? ''),
                h('th', { scope: 'row' }, c.agentName),
                h('td', {}, c.talkMs === null ? '' : (c.talkMs / 1000).toFixed(1)),
                h('td', { 'data-col': 'reviews' }, c.reviews),
                h('td', {}, h('button', { type: 'button', onclick: () => void reviewPanel(panel, c, refreshScores) }, t('review'))),
              ),
            ),
          ),
        ),
      );
      if (random) await reviewPanel(panel, items[0]!, refreshScores);
    };
    picker = h(
      'section',
      { 'aria-labelledby': 'pick-h' },
      h('h2', { id: 'pick-h' }, t('toReview')),
      h(
        'form',
        {
          class: 'filters',
          onsubmit: (e: Event) => {
            e.preventDefault();
            void load(false);
          },
        },
        h('div', { class: 'field' }, h('label', { for: 'q-campaign' }, t('campaign')), campaign),
        h('div', { class: 'field' }, h('label', { for: 'q-agent' }, t('agent')), agent),
        h('div', { class: 'field inline' }, unreviewed, h('label', { for: 'q-unreviewed' }, t('unreviewed'))),
        h('button', { type: 'submit' }, t('find')),
        h('button', { type: 'button', onclick: () => void load(true) }, t('pickRandom')),
      ),
      h('div', { class: 'scroll' }, list),
    );
    void load(false);
  }
  replace(
    main,
    h('h1', {}, t('qualityReview')),
    picker,
    h('div', { class: 'split' }, panel, h('section', { 'aria-labelledby': 'scores-h' }, h('h2', { id: 'scores-h' }, t('scoresOverTime')), scores)),
  );
  refreshScores();
};
