import { ApiError, upload } from '../api.js';
import { h, replace } from '../dom.js';
import { t } from '../i18n.js';

interface RowError {
  row: number;
  line?: number;
  field: string | null;
  message: string;
}

/** Drag a CSV or JSON file onto a campaign: upload progress, then the counts or every bad row. */
export function importPanel(c: { id: number; name: string }, done: () => void): HTMLElement {
  const bar = h('progress', { max: 100, value: 0, 'aria-label': t('uploading'), hidden: true });
  const result = h('div', { role: 'status' });
  const input = h('input', { type: 'file', id: 'import-file', accept: '.csv,.json,text/csv,application/json', class: 'sr' });

  const send = async (file: File) => {
    const type = /\.json$/i.test(file.name) || file.type === 'application/json' ? 'application/json' : 'text/csv';
    bar.hidden = false;
    bar.value = 0;
    replace(result, t('uploading'));
    try {
      const s = await upload<{ imported: number; updated: number; duplicates: number; rows: number }>(
        `/v1/campaigns/${c.id}/contacts`,
        file,
        type,
        (f) => (bar.value = Math.round(f * 100)),
      );
      bar.value = 100;
      replace(result, h('p', { class: 'ok' }, t('imported', s)));
      done();
    } catch (e) {
      const details = e instanceof ApiError ? (e.details as { errors?: RowError[]; errorCount?: number } | null) : null;
      if (details?.errors?.length) {
        replace(
          result,
          h('p', { class: 'error' }, t('importFailed', { n: details.errorCount ?? details.errors.length })),
          h(
            'table',
            { class: 'errors' },
            h('caption', {}, file.name),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('line')), h('th', { scope: 'col' }, t('field')), h('th', { scope: 'col' }, t('message')))),
            h(
              'tbody',
              {},
              details.errors.map((r) => h('tr', {}, h('td', {}, String(r.line ?? r.row)), h('td', {}, r.field ?? ''), h('td', {}, r.message))),
            ),
          ),
        );
      } else replace(result, h('p', { class: 'error', role: 'alert' }, t('error', { m: (e as Error).message })));
    }
  };

  input.addEventListener('change', () => input.files?.[0] && void send(input.files[0]));
  const zone = h(
    'div',
    {
      class: 'drop',
      tabindex: '0',
      role: 'button',
      'aria-label': t('dropHere'),
      onclick: () => input.click(),
      onkeydown: (e: Event) => {
        if ((e as KeyboardEvent).key === 'Enter' || (e as KeyboardEvent).key === ' ') input.click();
      },
    },
    t('dropHere'),
  );
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void send(f);
  });
  return h(
    'section',
    { 'aria-label': `${t('import')}: ${c.name}` },
    h('h2', {}, `${t('import')}: ${c.name}`),
    zone,
    h('label', { for: 'import-file', class: 'sr' }, t('chooseFile')),
    input,
    bar,
    result,
  );
}
