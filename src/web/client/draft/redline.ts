// Article-by-article changes between two versions with word redlines.
import { get } from '../api/client';
import type { DraftLanguage } from '../api/views';
import { h } from '../dom';
import { t } from '../i18n';
import { articleName, redline } from './common';

export async function redlineView(id: string, from: number, to: number, lang?: DraftLanguage): Promise<HTMLElement> {
  const d = await get('/instances/{id}/draft/diff', { path: { id }, query: { from, to, lang } });
  const box = h('div', { 'data-testid': 'redline', 'data-from': from, 'data-to': to });
  box.append(
    h('h4', {}, `${t('redline')}: ${t('version')} ${d.from.number} → ${d.to.number}`),
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
            h(
              'div',
              { 'data-lang': l },
              h('span', { class: 'muted' }, `${l.toUpperCase()}: `),
              redline(r.redlines[l] ?? []),
            ),
          ),
      ),
    );
  }
  return box;
}
