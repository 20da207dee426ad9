// Pieces shared by the draft views: languages, loading a view into a box, exports, redlines.
// Server text is only ever inserted as text (h() builds text nodes; <ins>/<del> get textContent).
import { download } from '../api/client';
import type { DraftLanguage, LanguageStatus, RedlineSegment } from '../api/views';
import { clear, h, type Attrs } from '../dom';
import { t } from '../i18n';
import { errorBox } from '../ui';

export const DRAFT_LANGS: readonly DraftLanguage[] = ['ru', 'zh', 'en'];

/** A select of the draft languages (optionally with "all languages" first, value ''). */
export function langSelect(attrs: Attrs, withAll: boolean, value: string): HTMLSelectElement {
  return h(
    'select',
    attrs,
    withAll ? h('option', { value: '' }, t('allLanguages')) : null,
    DRAFT_LANGS.map((l) => h('option', { value: l, selected: l === value }, l.toUpperCase())),
  );
}

/** The chosen draft language of a select, or undefined for "all languages". */
export function chosenLang(select: HTMLSelectElement): DraftLanguage | undefined {
  return DRAFT_LANGS.find((l) => l === select.value);
}

/** Runs `load` into `box` (a loading line, then its element or the error). */
export async function fill(box: Element, load: () => Promise<Node>): Promise<void> {
  clear(box).appendChild(h('p', { class: 'muted' }, t('loading')));
  try {
    const el = await load();
    clear(box).appendChild(el);
  } catch (err) {
    clear(box).appendChild(errorBox(err));
  }
}

/** A button that downloads `target` (an export) as `filename`; a failure is shown next to it. */
export function exportButton(target: () => string, filename: () => string, text: string, testid = 'export') {
  const button: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'data-testid': testid,
      onclick: () => download(target(), filename()).catch((err: unknown) => button.after(errorBox(err))),
    },
    text,
  );
  return button;
}

export function statusText(s: LanguageStatus | null | undefined): string {
  return s === 'out_of_date' ? t('outOfDate') : s === 'possibly_stale' ? t('possiblyStale') : t('upToDate');
}

/** "Article 3" or "Article 3 → 4" when the article was renumbered. */
export function articleName(r: { from?: { number: string } | null; to?: { number: string } | null }): string {
  const a = r.from?.number;
  const b = r.to?.number;
  return `${t('article')} ${a && b && a !== b ? `${a} → ${b}` : (a ?? b)}`;
}

/** Redline segments as text, insertions in <ins> and deletions in <del>. */
export function redline(segments: RedlineSegment[]): HTMLElement {
  return h(
    'div',
    { class: 'redline text' },
    segments.map((s) => (s.op === 'insert' ? h('ins', {}, s.text) : s.op === 'delete' ? h('del', {}, s.text) : s.text)),
  );
}
