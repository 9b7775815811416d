/** A tiny hyperscript: the whole "framework". Text is always set as text, never as HTML. */
type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' && 'value' in el) (el as HTMLInputElement).value = String(v);
    else if (k === 'checked' && 'checked' in el) (el as HTMLInputElement).checked = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

let uid = 0;
export const nextId = (p: string) => `${p}-${++uid}`;

/** A labelled form field: the label is tied to the control, errors are announced. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string,
): { wrap: HTMLElement; error: HTMLElement } {
  const id = control.id || (control.id = nextId('f'));
  const error = h('span', { class: 'error', id: `${id}-err`, role: 'alert' });
  control.setAttribute('aria-describedby', `${id}-err`);
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('small', {}, hint) : null, error);
  return { wrap, error };
}

/** A modal confirmation (native <dialog>: focus is trapped and Escape cancels). */
export function confirmDialog(message: string, okLabel: string, cancelLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const d = h('dialog', { 'aria-label': okLabel }, h('p', {}, message));
    const done = (v: boolean) => {
      d.close();
      d.remove();
      resolve(v);
    };
    d.append(
      h(
        'div',
        { class: 'row' },
        h('button', { type: 'button', class: 'primary', onclick: () => done(true) }, okLabel),
        h('button', { type: 'button', onclick: () => done(false) }, cancelLabel),
      ),
    );
    d.addEventListener('cancel', () => done(false));
    document.body.append(d);
    d.showModal();
  });
}

export function fmtTime(iso: string | null | undefined, zone?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  try {
    return d.toLocaleString(undefined, zone ? { timeZone: zone, dateStyle: 'short', timeStyle: 'medium' } : { dateStyle: 'short', timeStyle: 'medium' });
  } catch {
    return d.toISOString();
  }
}
