// Small pieces shared by the pages: cards, error lines, links to a procedure, due dates.
import { clear, h, fmtDate, type Child } from './dom';
import { t } from './i18n';

/** Navigates to a hash route; `force` draws it again when it is the current one. */
export type Go = (hash: string, force?: boolean) => void;

export function errorBox(err: unknown): HTMLElement {
  return h('p', { class: 'error', 'data-testid': 'error' }, err instanceof Error ? err.message : String(err));
}

export function card(title: string | null, ...body: Child[]): HTMLElement {
  return h('section', { class: 'card' }, title ? h('h2', {}, title) : null, ...body);
}

export function procLink(id: string, text?: string): HTMLAnchorElement {
  return h('a', { href: `#/procedure/${id}` }, text || id.slice(0, 8));
}

export function dueCell(item: { nextDue: string | null; overdue: boolean }): Child {
  if (!item.nextDue) return '';
  return h(
    'span',
    { class: item.overdue ? 'overdue' : '' },
    fmtDate(item.nextDue),
    item.overdue ? ` (${t('overdue')})` : '',
  );
}

/** A paragraph "none" (with a test id where a test looks for it). */
export function none(testid?: string): HTMLElement {
  return h('p', { class: 'muted', 'data-testid': testid }, t('none'));
}

/**
 * A form whose submit runs `action`; a failure is shown under it as a sentence and the form
 * stays as it was. `body` are the form's children; the message line comes last.
 */
export function actionForm(attrs: Record<string, string>, action: () => Promise<unknown>, ...body: Child[]) {
  const msg = h('div');
  return h(
    'form',
    {
      ...attrs,
      async onsubmit(e: Event) {
        e.preventDefault();
        clear(msg);
        try {
          await action();
        } catch (err) {
          msg.appendChild(errorBox(err));
        }
      },
    },
    ...body,
    msg,
  );
}
