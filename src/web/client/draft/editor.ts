// The article editor: the latest version's articles, saved as a new version (versions are immutable).
import type { components } from '../api/schema';
import { post } from '../api/client';
import type { DraftDocument, DraftLanguage, LanguageStatus } from '../api/views';
import { clear, control, h } from '../dom';
import { t } from '../i18n';
import { actionForm } from '../ui';
import { DRAFT_LANGS, statusText } from './common';

/** An article as edited: its texts, and the languages confirmed to still match. */
interface Row {
  articleId?: string;
  number: string;
  ru: string;
  zh: string;
  en: string;
  languages?: Record<DraftLanguage, LanguageStatus>;
  confirm: DraftLanguage[];
}

type ArticleInput = components['schemas']['ArticleInputDto'];

export function editor(id: string, doc: DraftDocument, saved: () => void): HTMLFormElement {
  const latest = doc.latest;
  const rows: Row[] = (latest?.articles ?? []).map((a) => ({
    articleId: a.articleId,
    number: a.number,
    ru: a.text.ru,
    zh: a.text.zh,
    en: a.text.en,
    languages: a.languages,
    confirm: [],
  }));
  const list = h('div', { 'data-testid': 'article-editor' });
  const note = h('input', { id: 'draft-note', type: 'text', placeholder: t('noteHint') });
  const draw = () => {
    clear(list);
    rows.forEach((r, i) => list.appendChild(articleEditor(rows, i, draw)));
  };
  draw();
  const save = async () => {
    const articles: ArticleInput[] = rows.map((r) => ({
      ...(r.articleId ? { articleId: r.articleId } : {}),
      number: r.number.trim(),
      ru: r.ru,
      zh: r.zh,
      en: r.en,
      ...(r.confirm.length ? { confirm: r.confirm } : {}),
    }));
    await post('/instances/{id}/draft/versions', {
      path: { id },
      body: { note: note.value, basedOn: latest ? latest.number : 0, articles },
    });
    saved();
  };
  return actionForm(
    { 'data-testid': 'version-form' },
    save,
    h('h4', {}, latest ? `${t('newVersionFrom')} ${latest.number}` : t('writeFirstVersion')),
    list,
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'data-testid': 'add-article',
        onclick: () => {
          rows.push({ number: String(rows.length + 1), ru: '', zh: '', en: '', confirm: [] });
          draw();
        },
      },
      t('addArticle'),
    ),
    h('label', { for: 'draft-note' }, `${t('note')} (${t('required')})`),
    note,
    h('div', {}, h('button', { type: 'submit', 'data-testid': 'save-version' }, t('saveVersion'))),
  );
}

/** Row `i`: its number, move up / down, remove, and a text area per language. */
function articleEditor(rows: Row[], i: number, draw: () => void): HTMLElement {
  const r = rows[i];
  const move = (d: number) => {
    const j = i + d;
    if (j < 0 || j >= rows.length) return;
    [rows[i], rows[j]] = [rows[j], rows[i]];
    draw();
  };
  const button = (testid: string, text: string, onclick: () => void, disabled = false, hint?: string) =>
    h(
      'button',
      { type: 'button', class: 'secondary', title: hint, 'aria-label': hint, 'data-testid': testid, disabled, onclick },
      text,
    );
  return h(
    'div',
    { class: 'article', 'data-index': i },
    h(
      'div',
      { class: 'toolbar' },
      h(
        'label',
        { class: 'inline' },
        `${t('article')} `,
        h('input', {
          name: 'number',
          type: 'text',
          size: 8,
          value: r.number,
          oninput: (e) => {
            r.number = control(e).value;
          },
        }),
      ),
      button('move-up', '↑', () => move(-1), i === 0, t('moveUp')),
      button('move-down', '↓', () => move(1), i === rows.length - 1, t('moveDown')),
      button('remove-article', t('remove'), () => {
        rows.splice(i, 1);
        draw();
      }),
      r.articleId ? null : h('span', { class: 'badge' }, t('newArticle')),
    ),
    h(
      'div',
      { class: 'langs' },
      DRAFT_LANGS.map((l) => languageArea(r, l)),
    ),
  );
}

/** One language's text; a language not current gets "confirm it still matches". */
function languageArea(r: Row, l: DraftLanguage): HTMLElement {
  const status = r.languages?.[l];
  const stale = status !== undefined && status !== 'current';
  return h(
    'div',
    { class: `lang${stale ? ` status-${status}` : ''}` },
    h('label', {}, `${l.toUpperCase()}${stale ? ` — ${statusText(status)}` : ''}`),
    h('textarea', {
      name: l,
      lang: l,
      value: r[l],
      oninput: (e) => {
        r[l] = control(e).value;
      },
    }),
    stale
      ? h(
          'label',
          { class: 'inline' },
          h('input', {
            type: 'checkbox',
            name: `confirm-${l}`,
            checked: r.confirm.includes(l),
            onchange: (e) => {
              r.confirm = control(e).checked ? [...r.confirm, l] : r.confirm.filter((x) => x !== l);
            },
          }),
          ` ${t('confirmMatches')}`,
        )
      : null,
  );
}
