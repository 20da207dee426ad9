// One version: every article in ru / zh / en with its language status, and the comments on it.
import { get, post, session } from '../api/client';
import type { DraftArticleView, DraftComment } from '../api/views';
import { clear, fmtDate, h } from '../dom';
import { t } from '../i18n';
import { commentStatementFor, plainCommentStatement, signWithPasskey } from '../signing';
import { actionForm, errorBox } from '../ui';
import { DRAFT_LANGS, fill, statusText } from './common';

export async function versionReader(id: string, n: number, { canComment }: { canComment: boolean }) {
  const [v, comments] = await Promise.all([
    get('/instances/{id}/draft/versions/{n}', { path: { id, n } }),
    get('/instances/{id}/draft/versions/{n}/comments', { path: { id, n } }),
  ]);
  const box = h('div', { 'data-testid': 'version-reader', 'data-version': v.number });
  const again = () => void fill(box.parentElement || box, () => versionReader(id, n, { canComment }));
  const commentForm = (article: { id: string; number: string } | null) =>
    canComment ? newComment(id, v.number, article, again) : null;
  box.append(
    h('h4', {}, `${t('version')} ${v.number}${v.latest ? ` (${t('latestVersion')})` : ''} — ${v.note}`),
    h(
      'div',
      { class: 'article', 'data-testid': 'general-comments' },
      h('strong', {}, t('generalComments')),
      commentList(comments.filter((c) => !c.articleId)) || h('p', { class: 'muted' }, t('none')),
      commentForm(null),
    ),
    ...v.articles.map((a) =>
      articleView(
        a,
        commentList(comments.filter((c) => c.articleId === a.articleId)),
        commentForm({ id: a.articleId, number: a.number }),
      ),
    ),
  );
  return box;
}

function articleView(a: DraftArticleView, comments: HTMLElement | null, form: HTMLElement | null): HTMLElement {
  return h(
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
      DRAFT_LANGS.map((l) =>
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
    comments,
    form,
  );
}

function commentList(list: DraftComment[]): HTMLElement | null {
  if (!list.length) return null;
  return h(
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
  );
}

/**
 * A comment on an article (or a general one: `article` null), in the caller's name. A member
 * state's comment is signed like its answers: with a passkey, the statement is shown in plain
 * words and one prompt signs it; without one, a service that requires signatures says so.
 */
function newComment(
  id: string,
  n: number,
  article: { id: string; number: string } | null,
  commented: () => void,
): HTMLElement {
  const user = session.user;
  const review = h('div', { 'data-testid': 'comment-review' });
  const text = h('textarea', { name: 'comment', 'aria-label': t('addComment'), oninput: () => clear(review) });
  const body = () => (article ? { articleId: article.id, text: text.value } : { text: text.value });
  const sendWith = async (signature?: Awaited<ReturnType<typeof signWithPasskey>>) => {
    await post('/instances/{id}/draft/versions/{n}/comments', {
      path: { id, n },
      body: { ...body(), ...(signature ? { signature } : {}) },
    });
    commented();
  };
  const send = async () => {
    if (user?.role !== 'approver') return sendWith();
    const reply = await commentStatementFor(id, n, body());
    if (!reply.passkeys.length) {
      if (reply.signing === 'optional') return sendWith();
      clear(review).appendChild(h('p', { class: 'error', 'data-testid': 'need-passkey' }, t('needPasskey')));
      return;
    }
    const msg = h('div');
    clear(review).append(
      plainCommentStatement(reply.statement, {
        signer: user.displayName,
        article: article ? article.number : null,
      }),
      h(
        'button',
        {
          type: 'button',
          'data-testid': 'sign-and-send',
          onclick: async () => {
            clear(msg);
            try {
              await sendWith(await signWithPasskey(reply));
            } catch (err) {
              msg.appendChild(errorBox(err));
            }
          },
        },
        t('signAndSend'),
      ),
      msg,
    );
  };
  return h(
    'details',
    { class: 'comment-form' },
    h(
      'summary',
      {},
      user?.memberState ? `${t('addComment')} (${user.memberState})` : `${t('addComment')} (${t('secretariat')})`,
    ),
    actionForm(
      { 'data-testid': 'comment-form' },
      send,
      text,
      h('div', {}, h('button', { type: 'submit' }, t('comment'))),
      review,
    ),
  );
}
