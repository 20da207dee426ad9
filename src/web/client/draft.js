// Drafts: create from a source, read a version with its language status and comments, edit
// into a new version (versions are immutable), redlines, consolidation, comparison table, exports.
// Server text is only ever inserted as text (h() builds text nodes; <ins>/<del> get textContent).
import { get, post, download, session, ApiError } from './api.js';
import { h, clear, table, fmtDate } from './dom.js';
import { t, label } from './i18n.js';

export const LANGS = ['ru', 'zh', 'en'];
const SOURCES = ['regulation', 'model_memorandum', 'memorandum', 'blank'];
const base = (id) => `/instances/${encodeURIComponent(id)}/draft`;
const errorBox = (err) =>
  h('p', { class: 'error', 'data-testid': 'error' }, err instanceof Error ? err.message : String(err));
const langSelect = (attrs, withAll, value) =>
  h(
    'select',
    attrs,
    withAll ? h('option', { value: '' }, t('allLanguages')) : null,
    LANGS.map((l) => h('option', { value: l, selected: l === value }, l.toUpperCase())),
  );

/** The procedure's draft, or null when it has none yet. */
export async function loadDraft(id) {
  try {
    return await get(base(id));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** Runs `load` into `box` (a loading line, then its element or the error). */
async function fill(box, load) {
  clear(box).appendChild(h('p', { class: 'muted' }, t('loading')));
  try {
    const el = await load();
    clear(box).appendChild(el);
  } catch (err) {
    clear(box).appendChild(errorBox(err));
  }
}

function exportButton(path, filename, text) {
  return h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'data-testid': 'export',
      onclick: (e) => download(path, filename).catch((err) => e.target.after(errorBox(err))),
    },
    text,
  );
}

/** The draft card of a procedure page. `reload()` draws the page again (after a save). */
export function draftPanel(inst, doc, reload) {
  const user = session.user;
  const officer = user?.role === 'legal_officer' && inst.status === 'active';
  const commenter = officer || (user?.role === 'approver' && inst.status === 'active');
  const id = inst.id;
  if (!doc)
    return officer ? createForm(id, inst, reload) : h('p', { class: 'muted', 'data-testid': 'no-draft' }, t('noDraft'));

  const latest = doc.latest;
  const box = h('div', { 'data-testid': 'draft-panel', 'data-latest': latest ? latest.number : 0 });
  box.appendChild(h('h3', {}, label(doc.title)));
  if (doc.source?.notice)
    box.appendChild(h('p', { class: 'banner warn', 'data-testid': 'source-notice' }, label(doc.source.notice)));
  if (latest && latest.driftedArticles.length) {
    const numbers = latest.articles
      .filter((a) => a.drifted)
      .map((a) => a.number)
      .join(', ');
    box.appendChild(
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
    box.appendChild(
      h('div', { class: 'banner warn', 'data-testid': 'english-banner' }, `${t('englishStale')}: ${numbers}`),
    );
  }
  if (!latest) box.appendChild(h('p', { class: 'muted' }, t('noVersion')));

  // every version, with exports in a chosen language
  const exportLang = langSelect({ 'aria-label': t('exportLanguage') }, false, 'ru');
  const work = h('div', { class: 'work', 'data-testid': 'draft-work' });
  const read = (n) => fill(work, () => versionReader(id, n, { canComment: commenter }));
  box.appendChild(
    h('h4', {}, t('versions'), ' ', h('span', { class: 'muted' }, `${t('exportLanguage')}: `), exportLang),
  );
  box.appendChild(
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
              { type: 'button', class: 'secondary', 'data-testid': 'read-version', onclick: () => read(v.number) },
              t('open'),
            ),
            exportButtonFor(id, v.number, exportLang, 'html'),
            exportButtonFor(id, v.number, exportLang, 'pdf'),
          ),
        ),
      ),
      { 'data-testid': 'versions' },
    ),
  );

  // tools: edit into a new version, redline, comparison table, consolidation
  const numbers = doc.versions.map((v) => v.number);
  const opts = (sel) => numbers.map((n) => h('option', { value: n, selected: n === sel }, String(n)));
  const from = h(
    'select',
    { 'data-testid': 'diff-from', 'aria-label': t('from') },
    opts(numbers.length > 1 ? numbers[numbers.length - 2] : numbers[0]),
  );
  const to = h('select', { 'data-testid': 'diff-to', 'aria-label': t('to') }, opts(numbers[numbers.length - 1]));
  const lang = langSelect({ 'data-testid': 'diff-lang', 'aria-label': t('language') }, true, '');
  const tools = h('div', { class: 'toolbar' });
  if (officer)
    tools.appendChild(
      h(
        'button',
        {
          type: 'button',
          'data-testid': 'edit-draft',
          onclick: () => {
            clear(work).appendChild(editor(id, doc, reload));
          },
        },
        latest ? t('editNewVersion') : t('writeFirstVersion'),
      ),
    );
  if (numbers.length) {
    tools.append(
      h('span', {}, ` ${t('from')} `),
      from,
      h('span', {}, ` ${t('to')} `),
      to,
      ' ',
      lang,
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'data-testid': 'show-redline',
          onclick: () => fill(work, () => redlineView(id, +from.value, +to.value, lang.value)),
        },
        t('redline'),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'data-testid': 'show-comparison',
          onclick: () => fill(work, () => comparisonView(id, +from.value, +to.value, lang.value || 'ru')),
        },
        t('comparison'),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'data-testid': 'show-consolidation',
          title: t('consolidationHint'),
          onclick: () => fill(work, () => consolidationView(id, +from.value)),
        },
        t('consolidation'),
      ),
    );
  }
  box.appendChild(tools);
  box.appendChild(work);
  if (latest) read(latest.number);
  return box;
}

function exportButtonFor(id, n, langSel, format) {
  return h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'data-testid': `export-${format}`,
      onclick: (e) =>
        download(
          `${base(id)}/versions/${n}/export?format=${format}&lang=${langSel.value}`,
          `draft-v${n}-${langSel.value}.${format}`,
        ).catch((err) => e.target.after(errorBox(err))),
    },
    format.toUpperCase(),
  );
}

function createForm(id, inst, reload) {
  const source = h(
    'select',
    { id: 'draft-source', class: 'wide' },
    SOURCES.map((s) => h('option', { value: s }, t(`source_${s}`))),
  );
  const memo = h(
    'select',
    { id: 'draft-memorandum', class: 'wide' },
    h('option', { value: '' }, inst.memorandum ? `${t('ownMemorandum')} (${inst.memorandum})` : ''),
  );
  const titles = Object.fromEntries(LANGS.map((l) => [l, h('input', { id: `draft-title-${l}`, type: 'text' })]));
  const memoRow = h('div', { hidden: true }, h('label', { for: 'draft-memorandum' }, t('memorandum')), memo);
  const titleRow = h(
    'div',
    {},
    h('p', { class: 'muted' }, t('titleHint')),
    LANGS.map((l) => [h('label', { for: `draft-title-${l}` }, `${t('title')} (${l.toUpperCase()})`), titles[l]]),
  );
  get('/reference/partners').then(
    (ps) => {
      for (const p of ps.filter((x) => x.memorandumId))
        memo.appendChild(h('option', { value: p.memorandumId }, `${p.memorandumId} — ${label(p.name, p.code)}`));
    },
    () => undefined,
  );
  source.addEventListener('change', () => {
    memoRow.hidden = source.value !== 'memorandum';
  });
  const msg = h('div');
  return h(
    'form',
    {
      'data-testid': 'create-draft',
      async onsubmit(e) {
        e.preventDefault();
        clear(msg);
        const body = { source: source.value };
        if (source.value === 'memorandum' && memo.value) body.memorandumId = memo.value;
        if (LANGS.some((l) => titles[l].value.trim()))
          body.title = Object.fromEntries(LANGS.map((l) => [l, titles[l].value.trim()]));
        try {
          await post(base(id), body);
          reload();
        } catch (err) {
          msg.appendChild(errorBox(err));
        }
      },
    },
    h('p', { class: 'muted' }, t('noDraft')),
    h('label', { for: 'draft-source' }, t('source')),
    source,
    memoRow,
    titleRow,
    h('div', {}, h('button', { type: 'submit' }, t('createDraft'))),
    msg,
  );
}

const statusText = (s) =>
  s === 'out_of_date' ? t('outOfDate') : s === 'possibly_stale' ? t('possiblyStale') : t('upToDate');

/** One version: every article in ru / zh / en with its language status, and the comments on it. */
export async function versionReader(id, n, { canComment }) {
  const [v, comments] = await Promise.all([
    get(`${base(id)}/versions/${n}`),
    get(`${base(id)}/versions/${n}/comments`),
  ]);
  const user = session.user;
  const box = h('div', { 'data-testid': 'version-reader', 'data-version': v.number });
  const again = () => fill(box.parentNode || box, () => versionReader(id, n, { canComment }));
  box.appendChild(h('h4', {}, `${t('version')} ${v.number}${v.latest ? ` (${t('latestVersion')})` : ''} — ${v.note}`));
  const commentList = (list) =>
    list.length
      ? h(
          'ul',
          { class: 'comments' },
          list.map((c) =>
            h(
              'li',
              { 'data-testid': 'comment' },
              h('strong', {}, c.memberState ?? t('secretariat')),
              ` ${fmtDate(c.createdAt)}: `,
              h('span', { class: 'text', 'data-testid': 'comment-text' }, c.text),
            ),
          ),
        )
      : null;
  const commentForm = (articleId) => {
    if (!canComment) return null;
    const text = h('textarea', { name: 'comment', 'aria-label': t('addComment') });
    const msg = h('div');
    return h(
      'details',
      { class: 'comment-form' },
      h(
        'summary',
        {},
        user?.memberState ? `${t('addComment')} (${user.memberState})` : `${t('addComment')} (${t('secretariat')})`,
      ),
      h(
        'form',
        {
          'data-testid': 'comment-form',
          async onsubmit(e) {
            e.preventDefault();
            clear(msg);
            try {
              await post(
                `${base(id)}/versions/${v.number}/comments`,
                articleId ? { articleId, text: text.value } : { text: text.value },
              );
              again();
            } catch (err) {
              msg.appendChild(errorBox(err));
            }
          },
        },
        text,
        h('div', {}, h('button', { type: 'submit' }, t('comment'))),
        msg,
      ),
    );
  };

  const general = comments.filter((c) => !c.articleId);
  box.appendChild(
    h(
      'div',
      { class: 'article', 'data-testid': 'general-comments' },
      h('strong', {}, t('generalComments')),
      commentList(general) || h('p', { class: 'muted' }, t('none')),
      commentForm(null),
    ),
  );
  for (const a of v.articles) {
    box.appendChild(
      h(
        'div',
        {
          class: `article${a.drifted ? ' drifted' : ''}`,
          'data-testid': 'article',
          'data-number': a.number,
          'data-article': a.articleId,
          'data-drifted': a.drifted ? 'true' : 'false',
        },
        h(
          'div',
          {},
          h('strong', {}, `${t('article')} ${a.number}`),
          a.drifted ? h('span', { class: 'badge danger' }, t('driftTitle')) : null,
        ),
        h(
          'div',
          { class: 'langs' },
          LANGS.map((l) =>
            h(
              'div',
              { class: `lang status-${a.languages[l]}` },
              h(
                'div',
                { class: 'muted' },
                `${l.toUpperCase()}${l === 'en' ? ` (${t('workingText')})` : ''} — `,
                h(
                  'span',
                  { 'data-testid': 'lang-status', 'data-lang': l, 'data-status': a.languages[l] },
                  statusText(a.languages[l]),
                ),
              ),
              h('div', { class: 'text', lang: l }, a.text[l]),
            ),
          ),
        ),
        commentList(comments.filter((c) => c.articleId === a.articleId)),
        commentForm(a.articleId),
      ),
    );
  }
  return box;
}

/** The article editor: the latest version's articles, saved as a new version. */
function editor(id, doc, reload) {
  const latest = doc.latest;
  const rows = (latest?.articles ?? []).map((a) => ({
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
  const msg = h('div');
  const move = (i, d) => {
    const j = i + d;
    if (j < 0 || j >= rows.length) return;
    [rows[i], rows[j]] = [rows[j], rows[i]];
    draw();
  };
  function draw() {
    clear(list);
    rows.forEach((r, i) => {
      const area = (l) => {
        const stale = r.languages && r.languages[l] !== 'current';
        return h(
          'div',
          { class: `lang${stale ? ` status-${r.languages[l]}` : ''}` },
          h('label', {}, `${l.toUpperCase()}${stale ? ` — ${statusText(r.languages[l])}` : ''}`),
          h('textarea', {
            name: l,
            lang: l,
            value: r[l],
            oninput: (e) => {
              r[l] = e.target.value;
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
                    r.confirm = e.target.checked ? [...r.confirm, l] : r.confirm.filter((x) => x !== l);
                  },
                }),
                ` ${t('confirmMatches')}`,
              )
            : null,
        );
      };
      list.appendChild(
        h(
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
                  r.number = e.target.value;
                },
              }),
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                title: t('moveUp'),
                'aria-label': t('moveUp'),
                'data-testid': 'move-up',
                disabled: i === 0,
                onclick: () => move(i, -1),
              },
              '↑',
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                title: t('moveDown'),
                'aria-label': t('moveDown'),
                'data-testid': 'move-down',
                disabled: i === rows.length - 1,
                onclick: () => move(i, 1),
              },
              '↓',
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                'data-testid': 'remove-article',
                onclick: () => {
                  rows.splice(i, 1);
                  draw();
                },
              },
              t('remove'),
            ),
            r.articleId ? null : h('span', { class: 'badge' }, t('newArticle')),
          ),
          h('div', { class: 'langs' }, LANGS.map(area)),
        ),
      );
    });
  }
  draw();
  return h(
    'form',
    {
      'data-testid': 'version-form',
      async onsubmit(e) {
        e.preventDefault();
        clear(msg);
        const articles = rows.map((r) => ({
          ...(r.articleId ? { articleId: r.articleId } : {}),
          number: r.number.trim(),
          ru: r.ru,
          zh: r.zh,
          en: r.en,
          ...(r.confirm.length ? { confirm: r.confirm } : {}),
        }));
        try {
          await post(`${base(id)}/versions`, { note: note.value, basedOn: latest ? latest.number : 0, articles });
          reload();
        } catch (err) {
          msg.appendChild(errorBox(err));
        }
      },
    },
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
    msg,
  );
}

/** Redline segments as text, insertions in <ins> and deletions in <del>. */
export function redline(segments) {
  return h(
    'div',
    { class: 'redline text' },
    segments.map((s) => (s.op === 'insert' ? h('ins', {}, s.text) : s.op === 'delete' ? h('del', {}, s.text) : s.text)),
  );
}

const articleName = (r) => {
  const a = r.from?.number;
  const b = r.to?.number;
  return `${t('article')} ${a && b && a !== b ? `${a} → ${b}` : (a ?? b)}`;
};

/** Article-by-article changes between two versions with word redlines. */
export async function redlineView(id, from, to, lang) {
  const d = await get(`${base(id)}/diff?from=${from}&to=${to}${lang ? `&lang=${lang}` : ''}`);
  const box = h('div', { 'data-testid': 'redline', 'data-from': from, 'data-to': to });
  box.appendChild(h('h4', {}, `${t('redline')}: ${t('version')} ${d.from.number} → ${d.to.number}`));
  box.appendChild(
    h(
      'p',
      { class: 'muted' },
      Object.entries(d.summary)
        .filter(([, n]) => n)
        .map(([k, n]) => `${t(`change_${k}`)}: ${n}`)
        .join(' · '),
    ),
  );
  for (const r of d.articles.filter((x) => !x.kinds.includes('unchanged'))) {
    box.appendChild(
      h(
        'div',
        { class: 'article', 'data-testid': 'redline-article', 'data-article': r.articleId },
        h(
          'div',
          {},
          h('strong', {}, articleName(r)),
          ' ',
          r.kinds.map((k) => h('span', { class: 'badge' }, t(`change_${k}`))),
        ),
        d.languages
          .filter((l) => (r.redlines[l] || []).some((s) => s.op !== 'equal'))
          .map((l) =>
            h('div', { 'data-lang': l }, h('span', { class: 'muted' }, `${l.toUpperCase()}: `), redline(r.redlines[l])),
          ),
      ),
    );
  }
  return box;
}

/** The comparison table: base | proposed (with redline) | comments, and each state's position. */
export async function comparisonView(id, from, to, lang) {
  const c = await get(`${base(id)}/comparison?from=${from}&to=${to}&lang=${lang}`);
  const box = h('div', { 'data-testid': 'comparison' });
  box.appendChild(
    h('h4', {}, `${t('comparison')} (${lang.toUpperCase()}): ${t('version')} ${c.from.number} → ${c.to.number}`),
  );
  box.appendChild(
    h(
      'div',
      {},
      exportButton(
        `${base(id)}/comparison/export?from=${from}&to=${to}&lang=${lang}&format=html`,
        `comparison-v${from}-v${to}-${lang}.html`,
        'HTML',
      ),
      exportButton(
        `${base(id)}/comparison/export?from=${from}&to=${to}&lang=${lang}&format=pdf`,
        `comparison-v${from}-v${to}-${lang}.pdf`,
        'PDF',
      ),
    ),
  );
  const comments = (list) =>
    list.map((x) =>
      h('div', {}, h('strong', {}, x.memberState ?? t('secretariat')), `: `, h('span', { class: 'text' }, x.text)),
    );
  box.appendChild(
    table(
      [t('article'), `${t('base')} (${c.from.number})`, `${t('proposed')} (${c.to.number})`, t('comments')],
      c.rows.map((r) =>
        h(
          'tr',
          { 'data-article': r.articleId },
          h(
            'td',
            {},
            articleName(r),
            h(
              'div',
              {},
              r.kinds.map((k) => h('span', { class: 'badge' }, t(`change_${k}`))),
            ),
          ),
          h('td', { class: 'text' }, r.base ?? ''),
          h(
            'td',
            {},
            redline(r.redline),
            r.language && r.language !== 'current' ? h('div', { class: 'overdue' }, statusText(r.language)) : null,
          ),
          h('td', {}, comments(r.comments)),
        ),
      ),
    ),
  );
  if (c.generalComments.length)
    box.appendChild(h('div', {}, h('strong', {}, t('generalComments')), comments(c.generalComments)));
  box.appendChild(
    table(
      [t('memberState'), t('position'), t('reservations'), t('comments')],
      c.states.map((s) =>
        h(
          'tr',
          { 'data-state': s.memberState },
          h('td', {}, `${s.memberState} ${label(s.name, '')}`),
          h(
            'td',
            { class: `pos-${s.position?.kind ?? 'no_answer'}` },
            t(s.position?.kind ?? 'no_answer'),
            s.position?.text ? h('div', { class: 'text' }, s.position.text) : null,
          ),
          h(
            'td',
            { class: 'text' },
            s.reservations.map((r) => `${t('version')} ${r.draftVersion}: ${r.text ?? ''}`).join('\n'),
          ),
          h(
            'td',
            { class: 'text' },
            s.responses
              .map((r) => `${t('version')} ${r.draftVersion}: ${r.hasComments ? (r.comments ?? '') : t('no_comments')}`)
              .join('\n'),
          ),
        ),
      ),
    ),
  );
  return box;
}

/** For each article of a version: the comments of each state and of the Secretariat, positions, and whether the next version addressed it. */
export async function consolidationView(id, version) {
  const c = await get(`${base(id)}/consolidation?version=${version}`);
  const box = h('div', { 'data-testid': 'consolidation' });
  box.appendChild(
    h('h4', {}, `${t('consolidation')}: ${t('version')} ${c.version}${c.nextVersion ? ` → ${c.nextVersion}` : ''}`),
  );
  for (const r of c.circulation) {
    box.appendChild(
      h(
        'p',
        {},
        `${t('round')} ${r.round}: ${fmtDate(r.openedAt)}${r.closedAt ? ` – ${fmtDate(r.closedAt)}` : ''}. ${t('unanswered')}: ${r.unanswered.join(', ') || t('none')}`,
      ),
    );
  }
  const addressed = (a) =>
    a.addressed === null
      ? t('noNextVersion')
      : a.addressed
        ? `${t('addressed')} (${a.nextVersionChange.map((k) => t(`change_${k}`)).join(', ')})`
        : t('notAddressed');
  box.appendChild(
    table(
      [t('article'), t('comments'), t('position'), t('nextVersion')],
      c.articles.map((a) => {
        const said = a.states.filter((s) => s.comments.length || s.position || s.response?.hasComments);
        return h(
          'tr',
          { 'data-article': a.articleId },
          h(
            'td',
            {},
            `${t('article')} ${a.number}`,
            h(
              'div',
              { class: 'muted' },
              LANGS.map((l) => `${l.toUpperCase()}: ${statusText(a.languages[l])}`).join(' · '),
            ),
          ),
          h(
            'td',
            {},
            a.secretariat.map((x) =>
              h('div', {}, h('strong', {}, t('secretariat')), ': ', h('span', { class: 'text' }, x.text)),
            ),
            said.flatMap((s) =>
              s.comments.map((x) =>
                h('div', {}, h('strong', {}, s.memberState), ': ', h('span', { class: 'text' }, x.text)),
              ),
            ),
          ),
          h(
            'td',
            {},
            said
              .filter((s) => s.position)
              .map((s) =>
                h(
                  'div',
                  { class: `pos-${s.position.kind}` },
                  `${s.memberState}: ${t(s.position.kind)}${s.position.text ? ` — ${s.position.text}` : ''}`,
                ),
              ),
          ),
          h('td', { class: a.addressed === false ? 'overdue' : '' }, addressed(a)),
        );
      }),
    ),
  );
  return box;
}

/** What an approver opens from the inbox: the named version, its redline against the previous one, comments for the state. */
export function inboxDraft(instanceId, version) {
  const box = h('div', { 'data-testid': 'inbox-draft' });
  const redlineBox = h('div');
  const readerBox = h('div');
  const lang = langSelect({ 'data-testid': 'diff-lang', 'aria-label': t('language') }, true, '');
  if (version > 1) {
    lang.addEventListener('change', () =>
      fill(redlineBox, () => redlineView(instanceId, version - 1, version, lang.value)),
    );
    box.append(h('div', {}, `${t('redline')} ${version - 1} → ${version}: `, lang), redlineBox);
    fill(redlineBox, () => redlineView(instanceId, version - 1, version, ''));
  }
  box.appendChild(readerBox);
  fill(readerBox, () => versionReader(instanceId, version, { canComment: true }));
  return box;
}
