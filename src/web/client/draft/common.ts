// Pieces shared by the draft views: languages, loading a view into a box, exports, redlines.
// Server text is only ever inserted as text (h() builds text nodes; <ins>/<del> get textContent).
import { download, get, post } from '../api/client';
import type { components } from '../api/schema';
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

export type ExportRequest = components['schemas']['RequestExportDto'];

/** How often the page asks for an export's status, and for how long at most. */
const EXPORT_POLL_MS = 400;
const EXPORT_WAIT_MS = 10 * 60_000;

/**
 * A button that requests an export (POST /instances/:id/exports), shows its progress next to it
 * while the server renders it (polling its status), then downloads the file. The indicator stays
 * with the outcome: the file downloaded, or the sentence of the failure.
 */
export function exportButton(id: string, request: () => ExportRequest, text: string, testid = 'export') {
  const bar: HTMLProgressElement = h('progress', { max: 100, value: 0 });
  const said = h('span', {}, t('exportQueued'));
  const indicator = h(
    'span',
    { class: 'export-progress', 'data-testid': 'export-progress', hidden: true },
    bar,
    ' ',
    said,
  );
  const show = (state: string, progress: number, line: string) => {
    indicator.hidden = false;
    indicator.dataset.state = state;
    indicator.dataset.progress = String(progress);
    bar.value = progress;
    said.textContent = line;
  };
  const run = async () => {
    const previous = indicator.nextElementSibling;
    if (previous?.matches('[data-testid=error]')) previous.remove();
    button.disabled = true;
    try {
      let s = await post('/instances/{id}/exports', { path: { id }, body: request() });
      show(s.state, s.progress, t('exportQueued'));
      const until = Date.now() + EXPORT_WAIT_MS;
      while (s.state === 'queued' || s.state === 'running') {
        if (Date.now() > until) throw new Error(s.error ?? 'The export is taking too long; try again later.');
        await new Promise((r) => setTimeout(r, EXPORT_POLL_MS));
        s = await get('/instances/{id}/exports/{exportId}', { path: { id, exportId: s.id } });
        show(s.state, s.progress, s.state === 'queued' ? t('exportQueued') : `${t('exportRunning')} ${s.progress}%`);
      }
      if (s.state === 'failed' || !s.file) throw new Error(s.error ?? 'The export failed; request it again.');
      await download(s.file.url, s.file.filename);
      show('done', 100, `${t('exportReady')}: ${s.file.filename}`);
    } catch (err) {
      indicator.hidden = true;
      indicator.after(errorBox(err));
    } finally {
      button.disabled = false;
    }
  };
  const button: HTMLButtonElement = h(
    'button',
    { type: 'button', class: 'secondary', 'data-testid': testid, onclick: () => void run() },
    text,
  );
  return h('span', { class: 'export' }, button, ' ', indicator);
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
