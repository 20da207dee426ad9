// The draft card of a procedure page: banners, every version (with exports), and the tools
// (edit into a new version, redline, comparison table, consolidation) drawing into one work area.
import { ApiError, get, session } from '../api/client';
import type { DraftDocument, InstanceView } from '../api/views';
import { clear, fmtDate, h, table } from '../dom';
import { t, label } from '../i18n';
import { comparisonView } from './comparison';
import { chosenLang, exportButton, fill, langSelect } from './common';
import { consolidationView } from './consolidation';
import { createForm } from './create-form';
import { editor } from './editor';
import { redlineView } from './redline';
import { versionReader } from './reader';

/** The procedure's draft, or null when it has none yet. */
export async function loadDraft(id: string): Promise<DraftDocument | null> {
  try {
    return await get('/instances/{id}/draft', { path: { id } });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** `reload()` draws the page again (after a save). */
export function draftPanel(inst: InstanceView, doc: DraftDocument | null, reload: () => void): HTMLElement {
  const user = session.user;
  const officer = user?.role === 'legal_officer' && inst.status === 'active';
  const commenter = officer || (user?.role === 'approver' && inst.status === 'active');
  if (!doc)
    return officer ? createForm(inst, reload) : h('p', { class: 'muted', 'data-testid': 'no-draft' }, t('noDraft'));

  const latest = doc.latest;
  const box = h('div', { 'data-testid': 'draft-panel', 'data-latest': latest ? latest.number : 0 });
  box.append(h('h3', {}, label(doc.title)), ...banners(doc));
  const work = h('div', { class: 'work', 'data-testid': 'draft-work' });
  const read = (n: number) => fill(work, () => versionReader(inst.id, n, { canComment: commenter }));
  box.append(
    ...versionsTable(inst.id, doc, (n) => void read(n)),
    tools(inst.id, doc, work, officer ? () => clear(work).appendChild(editor(inst.id, doc, reload)) : null),
    work,
  );
  if (latest) void read(latest.number);
  return box;
}

/** The source's notice, drifted articles (which block the procedure), English possibly out of date. */
function banners(doc: DraftDocument): HTMLElement[] {
  const latest = doc.latest;
  const out: HTMLElement[] = [];
  if (doc.source?.notice)
    out.push(h('p', { class: 'banner warn', 'data-testid': 'source-notice' }, label(doc.source.notice)));
  if (latest && latest.driftedArticles.length) {
    const numbers = latest.articles
      .filter((a) => a.drifted)
      .map((a) => a.number)
      .join(', ');
    out.push(
      h(
        'div',
        { class: 'banner danger', 'data-testid': 'drift-banner', role: 'alert' },
        h('strong', {}, `${t('version')} ${latest.number}: ${t('driftTitle')}`),
        ` ${t('driftArticles')}: ${numbers}. ${t('driftBlocks')}`,
      ),
    );
  }
  if (latest && latest.englishPossiblyStale.length) {
    const numbers = latest.articles
      .filter((a) => a.languages.en === 'possibly_stale')
      .map((a) => a.number)
      .join(', ');
    out.push(h('div', { class: 'banner warn', 'data-testid': 'english-banner' }, `${t('englishStale')}: ${numbers}`));
  }
  if (!latest) out.push(h('p', { class: 'muted' }, t('noVersion')));
  return out;
}

/** Every version, each with "open" and its exports in the chosen language. */
function versionsTable(id: string, doc: DraftDocument, open: (n: number) => void): HTMLElement[] {
  const exportLang = langSelect({ 'aria-label': t('exportLanguage') }, false, 'ru');
  const exportOf = (n: number, format: 'html' | 'pdf') =>
    exportButton(
      id,
      () => ({ kind: 'version', version: n, format, lang: chosenLang(exportLang) ?? 'ru' }),
      format.toUpperCase(),
      `export-${format}`,
    );
  return [
    h('h4', {}, t('versions'), ' ', h('span', { class: 'muted' }, `${t('exportLanguage')}: `), exportLang),
    table(
      [t('version'), t('note'), t('who'), t('when'), t('articles'), t('drift'), 'EN', ''],
      doc.versions.map((v) =>
        h(
          'tr',
          { 'data-version': v.number },
          h('td', {}, String(v.number)),
          h('td', { class: 'text' }, v.note),
          h('td', {}, `${v.authorRole} ${String(v.authorId).slice(0, 8)}`),
          h('td', {}, fmtDate(v.createdAt)),
          h('td', {}, String(v.articleCount)),
          h('td', { class: v.driftedArticleCount ? 'overdue' : '' }, String(v.driftedArticleCount)),
          h('td', {}, String(v.englishPossiblyStaleCount)),
          h(
            'td',
            {},
            h(
              'button',
              { type: 'button', class: 'secondary', 'data-testid': 'read-version', onclick: () => open(v.number) },
              t('open'),
            ),
            exportOf(v.number, 'html'),
            exportOf(v.number, 'pdf'),
          ),
        ),
      ),
      { 'data-testid': 'versions' },
    ),
  ];
}

/** The toolbar: edit (officers: `edit` is given), then redline / comparison / consolidation of two versions. */
function tools(id: string, doc: DraftDocument, work: HTMLElement, edit: (() => void) | null): HTMLElement {
  const numbers = doc.versions.map((v) => v.number);
  const opts = (sel: number | undefined) =>
    numbers.map((n) => h('option', { value: n, selected: n === sel }, String(n)));
  const from = h(
    'select',
    { 'data-testid': 'diff-from', 'aria-label': t('from') },
    opts(numbers.length > 1 ? numbers[numbers.length - 2] : numbers[0]),
  );
  const to = h('select', { 'data-testid': 'diff-to', 'aria-label': t('to') }, opts(numbers[numbers.length - 1]));
  const lang = langSelect({ 'data-testid': 'diff-lang', 'aria-label': t('language') }, true, '');
  const bar = h('div', { class: 'toolbar' });
  if (edit)
    bar.appendChild(
      h(
        'button',
        { type: 'button', 'data-testid': 'edit-draft', onclick: edit },
        doc.latest ? t('editNewVersion') : t('writeFirstVersion'),
      ),
    );
  if (!numbers.length) return bar;
  const tool = (testid: string, text: string, load: () => Promise<Node>, title?: string) =>
    h(
      'button',
      { type: 'button', class: 'secondary', 'data-testid': testid, title, onclick: () => fill(work, load) },
      text,
    );
  bar.append(
    h('span', {}, ` ${t('from')} `),
    from,
    h('span', {}, ` ${t('to')} `),
    to,
    ' ',
    lang,
    tool('show-redline', t('redline'), () => redlineView(id, +from.value, +to.value, chosenLang(lang))),
    tool('show-comparison', t('comparison'), () =>
      comparisonView(id, +from.value, +to.value, chosenLang(lang) ?? 'ru'),
    ),
    tool('show-consolidation', t('consolidation'), () => consolidationView(id, +from.value), t('consolidationHint')),
  );
  return bar;
}
