// For each article of a version: the comments of each state and of the Secretariat, positions, and
// whether the next version addressed it.
import { get } from '../api/client';
import type { Consolidation } from '../api/views';
import { fmtDate, h, table } from '../dom';
import { t } from '../i18n';
import { DRAFT_LANGS, statusText } from './common';

type Article = Consolidation['articles'][number];

export async function consolidationView(id: string, version: number): Promise<HTMLElement> {
  const c = await get('/instances/{id}/draft/consolidation', { path: { id }, query: { version } });
  return h(
    'div',
    { 'data-testid': 'consolidation' },
    h('h4', {}, `${t('consolidation')}: ${t('version')} ${c.version}${c.nextVersion ? ` → ${c.nextVersion}` : ''}`),
    c.circulation.map((r) =>
      h(
        'p',
        {},
        `${t('round')} ${r.round}: ${fmtDate(r.openedAt)}${r.closedAt ? ` – ${fmtDate(r.closedAt)}` : ''}. ${t('unanswered')}: ${r.unanswered.join(', ') || t('none')}`,
      ),
    ),
    table([t('article'), t('comments'), t('position'), t('nextVersion')], c.articles.map(articleRow)),
  );
}

function addressed(a: Article): string {
  if (a.addressed === null) return t('noNextVersion');
  return a.addressed
    ? `${t('addressed')} (${(a.nextVersionChange ?? []).map((k) => t(`change_${k}`)).join(', ')})`
    : t('notAddressed');
}

function articleRow(a: Article): HTMLElement {
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
        DRAFT_LANGS.map((l) => `${l.toUpperCase()}: ${statusText(a.languages[l])}`).join(' · '),
      ),
    ),
    h(
      'td',
      {},
      a.secretariat.map((x) =>
        h('div', {}, h('strong', {}, t('secretariat')), ': ', h('span', { class: 'text' }, x.text)),
      ),
      said.flatMap((s) =>
        s.comments.map((x) => h('div', {}, h('strong', {}, s.memberState), ': ', h('span', { class: 'text' }, x.text))),
      ),
    ),
    h(
      'td',
      {},
      said.flatMap((s) =>
        s.position
          ? [
              h(
                'div',
                { class: `pos-${s.position.kind}` },
                `${s.memberState}: ${t(s.position.kind)}${s.position.text ? ` — ${s.position.text}` : ''}`,
              ),
            ]
          : [],
      ),
    ),
    h('td', { class: a.addressed === false ? 'overdue' : '' }, addressed(a)),
  );
}
