// DOM helpers. Text is always inserted as text nodes: user text is never parsed as HTML.

export type Child = Node | string | number | null | undefined | false | Child[];
type Handler = (e: Event) => unknown;
export type Attrs = Record<string, string | number | boolean | null | undefined | Handler>;

/**
 * h('div', { class: 'x', onclick: fn, 'data-testid': 'y' }, 'text', child, [more])
 * Strings and numbers become text nodes; null/undefined/false are skipped.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') {
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    } else if (k === 'value') (el as HTMLInputElement).value = String(v);
    else if (k === 'checked') (el as HTMLInputElement).checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear<E extends Element>(el: E): E {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

export function table(headers: string[], rows: Child[], attrs?: Attrs): HTMLTableElement {
  return h(
    'table',
    attrs ?? {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((x) => h('th', {}, x)),
      ),
    ),
    h('tbody', {}, rows),
  );
}

export function fmtDate(v: string | null | undefined): string {
  if (!v) return '';
  const d = new Date(v);
  return isNaN(d.getTime()) ? String(v) : d.toISOString().slice(0, 16).replace('T', ' ');
}

/** The form control an event came from (change / input handlers). */
export function control(e: Event): HTMLInputElement {
  return e.currentTarget as HTMLInputElement;
}
