import { api, apiBlob, ApiError, can } from '../api.js';
import { field, h, replace } from '../dom.js';
import { t } from '../i18n.js';

export interface Campaign {
  id: number;
  name: string;
  state: string;
  callerId: string | null;
  prompt: Record<string, { segments: Array<{ type: string; text?: string }> }>;
  maxConcurrent: number;
  callsPerSecond: number;
  riskThreshold: number | null;
  amdEnabled: boolean;
  defaultTimeZone: string | null;
}

const LOCALES = ['zh-CN', 'en-US'] as const;
/** The template fields the renderer knows (src/prompts/prompt.template.ts PROMPT_FIELDS). */
const FIELDS = ['name', 'amount', 'due_date', 'days_past_due', 'callback_number', 'bank_name'];

type Check = () => string;

/** Create or edit a draft: every field validated as it is typed, the prompt heard before saving. */
export function campaignEditor(c: Campaign | null, saved: () => void): HTMLElement {
  const checks: Check[] = [];
  const status = h('p', { role: 'status' });
  const bind = (label: string, control: HTMLInputElement | HTMLTextAreaElement, check: Check, hint?: string) => {
    const f = field(label, control, hint);
    const run = () => {
      const m = check();
      f.error.textContent = m;
      control.setAttribute('aria-invalid', m ? 'true' : 'false');
      return m;
    };
    control.addEventListener('input', run);
    checks.push(run);
    return f.wrap;
  };
  const num =
    (el: HTMLInputElement, min: number, max: number, optional = false): Check =>
    () => {
      if (el.value.trim() === '') return optional ? '' : t('required');
      const n = Number(el.value);
      return Number.isFinite(n) && n >= min && n <= max ? '' : t('range', { min, max });
    };

  const name = h('input', { name: 'name', value: c?.name ?? '', maxlength: 200, required: true });
  const callerId = h('input', { name: 'callerId', value: c?.callerId ?? '', inputmode: 'tel' });
  const maxConcurrent = h('input', { name: 'maxConcurrent', type: 'number', value: c?.maxConcurrent ?? 10 });
  const cps = h('input', { name: 'callsPerSecond', type: 'number', step: '0.01', value: c?.callsPerSecond ?? 1 });
  const risk = h('input', { name: 'riskThreshold', type: 'number', value: c?.riskThreshold ?? '' });
  const tz = h('input', { name: 'defaultTimeZone', value: c?.defaultTimeZone ?? '', placeholder: 'Asia/Shanghai' });
  const amd = h('input', { name: 'amdEnabled', type: 'checkbox', checked: c?.amdEnabled ?? false, id: 'amd' });
  const prompts = new Map<string, HTMLTextAreaElement>();
  let lastPrompt: HTMLTextAreaElement | null = null;
  const promptText = (l: string) =>
    (c?.prompt[l]?.segments ?? [])
      .map((s) => s.text ?? '')
      .join(' ')
      .trim();
  const promptFields = LOCALES.map((l) => {
    const ta = h('textarea', { name: `prompt-${l}`, rows: 3, lang: l }, promptText(l));
    ta.addEventListener('focus', () => (lastPrompt = ta));
    prompts.set(l, ta);
    const check: Check = () => {
      const unknown = [...ta.value.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!).find((f) => !FIELDS.includes(f));
      return unknown !== undefined ? t('unknownField', { f: `{${unknown}}` }) : '';
    };
    return bind(t('promptFor', { locale: l }), ta, check);
  });
  const chips = h(
    'div',
    { class: 'chips', role: 'group', 'aria-label': t('promptHint') },
    t('promptHint'),
    FIELDS.map((f) =>
      h(
        'button',
        {
          type: 'button',
          class: 'chip',
          onclick: () => {
            const ta = lastPrompt ?? prompts.get('zh-CN')!;
            const at = ta.selectionStart ?? ta.value.length;
            ta.value = `${ta.value.slice(0, at)}{${f}}${ta.value.slice(at)}`;
            ta.dispatchEvent(new Event('input'));
            ta.focus();
          },
        },
        `{${f}}`,
      ),
    ),
  );

  // The call script agents read (one step per line, "Title: what to say"); saved with the campaign.
  const scripts = new Map<string, HTMLTextAreaElement>();
  const scriptFields = LOCALES.map((l) => {
    const ta = h('textarea', { name: `script-${l}`, rows: 5, lang: l });
    scripts.set(l, ta);
    return bind(
      t('scriptFor', { locale: l }),
      ta,
      () => {
        const unknown = [...ta.value.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!).find((f) => !FIELDS.includes(f));
        return unknown !== undefined ? t('unknownField', { f: `{${unknown}}` }) : '';
      },
      t('scriptHint'),
    );
  });
  if (c) {
    void api<{ script: Record<string, { title: string; text: string }[]>; isDefault: boolean }>('GET', `/v1/campaigns/${c.id}/script`).then(
      (s) => {
        if (s.isDefault) return;
        for (const [l, steps] of Object.entries(s.script)) {
          const ta = scripts.get(l);
          if (ta) ta.value = steps.map((x) => `${x.title}: ${x.text}`).join('\n');
        }
      },
      () => undefined,
    );
  }
  const script = () => {
    const out: Record<string, { title: string; text: string }[]> = {};
    for (const [l, ta] of scripts) {
      const steps = ta.value
        .split('\n')
        .map((x) => x.trim())
        .filter(Boolean)
        .map((line, i) => {
          const m = /^([^:：]{1,100})[:：]\s*(.+)$/.exec(line);
          return m ? { title: m[1]!.trim(), text: m[2]!.trim() } : { title: String(i + 1), text: line };
        });
      if (steps.length > 0) out[l] = steps;
    }
    return out;
  };

  const prompt = () => {
    const out: Record<string, { segments: { type: 'tts'; text: string }[] }> = {};
    for (const [l, ta] of prompts) if (ta.value.trim()) out[l] = { segments: [{ type: 'tts', text: ta.value.trim() }] };
    return out;
  };

  const audio = h('audio', { controls: true, 'aria-label': t('preview') });
  const previewLocale = h(
    'select',
    { 'aria-label': 'locale' },
    LOCALES.map((l) => h('option', { value: l }, l)),
  );
  const previewBtn = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        const p = prompt();
        if (Object.keys(p).length === 0) return;
        previewBtn.disabled = true;
        status.textContent = t('previewing');
        try {
          const blob = await apiBlob('POST', '/v1/prompts/preview', { prompt: p, locale: p[previewLocale.value] ? previewLocale.value : Object.keys(p)[0] });
          if (audio.src) URL.revokeObjectURL(audio.src);
          audio.src = URL.createObjectURL(blob);
          status.textContent = '';
          await audio.play().catch(() => undefined);
        } catch (e) {
          status.textContent = t('error', { m: (e as Error).message });
        } finally {
          previewBtn.disabled = false;
        }
      },
    },
    t('preview'),
  );

  const form = h(
    'form',
    {
      class: 'editor',
      novalidate: true,
      'aria-label': c ? `${t('edit')}: ${c.name}` : t('newCampaign'),
      onsubmit: async (e: Event) => {
        e.preventDefault();
        if (checks.map((f) => f()).some(Boolean)) return;
        const body = {
          name: name.value.trim(),
          callerId: callerId.value.trim() || null,
          prompt: prompt(),
          maxConcurrent: Number(maxConcurrent.value),
          callsPerSecond: Number(cps.value),
          riskThreshold: risk.value.trim() === '' ? null : Number(risk.value),
          amdEnabled: amd.checked,
          defaultTimeZone: tz.value.trim() || null,
        };
        try {
          const row = await api<{ id: number }>(c ? 'PATCH' : 'POST', c ? `/v1/campaigns/${c.id}` : '/v1/campaigns', body);
          if (can('PUT /v1/campaigns/:id/script')) await api('PUT', `/v1/campaigns/${row.id}/script`, script());
          status.textContent = t('saved');
          saved();
        } catch (x) {
          const details =
            x instanceof ApiError && Array.isArray(x.details)
              ? (x.details as { path: string; message: string }[]).map((d) => `${d.path} ${d.message}`).join('; ')
              : '';
          status.textContent = t('error', { m: `${(x as Error).message} ${details}` });
        }
      },
    },
    h('h2', {}, c ? `${t('edit')}: ${c.name}` : t('newCampaign')),
    bind(t('name'), name, () => (name.value.trim() ? '' : t('required'))),
    bind(t('callerId'), callerId, () => (callerId.value === '' || /^\+?[0-9]{3,20}$/.test(callerId.value) ? '' : t('pattern'))),
    promptFields,
    chips,
    can('POST /v1/prompts/preview') ? h('div', { class: 'row' }, previewLocale, previewBtn, audio) : null,
    h(
      'div',
      { class: 'grid' },
      bind(t('maxConcurrent'), maxConcurrent, num(maxConcurrent, 1, 10_000)),
      bind(t('callsPerSecond'), cps, num(cps, 0.01, 1000)),
      bind(t('riskThreshold'), risk, num(risk, 0, 100, true)),
      bind(t('timeZone'), tz, () => ''),
    ),
    h('div', { class: 'field inline' }, amd, h('label', { for: 'amd' }, t('amd'))),
    scriptFields,
    status,
    h('button', { type: 'submit', class: 'primary' }, t('save')),
  );
  return form;
}

export function clear(el: HTMLElement): void {
  replace(el);
}
