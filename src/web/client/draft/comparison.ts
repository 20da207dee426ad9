// The comparison table: base | proposed (with redline) | comments, and each state's position.
import { get } from '../api/client';
import type { Comparison, DraftLanguage } from '../api/views';
import { h, table } from '../dom';
import { t, label } from '../i18n';
import { articleName, exportButton, redline, statusText } from './common';

export async function comparisonView(id: string, from: number, to: number, lang: DraftLanguage): Promise<HTMLElement> {
  const c = await get('/instances/{id}/draft/comparison', { path: { id }, query: { from, to, lang } });
  const exportAs = (format: 'html' | 'pdf') =>
    exportButton(id, () => ({ kind: 'comparison', from, to, lang, format }), format.toUpperCase());
  const box = h(
    'div',
    { 'data-testid': 'comparison' },
    h('h4', {}, `${t('comparison')} (${lang.toUpperCase()}): ${t('version')} ${c.from.number} → ${c.to.number}`),
    h('div', {}, exportAs('html'), exportAs('pdf')),
    articlesTable(c),
  );
  if (c.generalComments.length)
    box.appendChild(h('div', {}, h('strong', {}, t('generalComments')), comments(c.generalComments)));
  box.appendChild(statesTable(c));
  return box;
}

const comments = (list: Comparison['generalComments']) =>
  list.map((x) =>
    h('div', {}, h('strong', {}, x.memberState ?? t('secretariat')), `: `, h('span', { class: 'text' }, x.text)),
  );

function articlesTable(c: Comparison): HTMLElement {
  return table(
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
  );
}

function statesTable(c: Comparison): HTMLElement {
  return table(
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
  );
}
