// The approval matrix: each round's member states and their positions (or answers to a circulation).
import type { ApprovalMatrix } from '../api/views';
import { fmtDate, h, table } from '../dom';
import { t } from '../i18n';

export function matrixView(m: ApprovalMatrix): HTMLElement {
  const box = h('div');
  if (!m.approvalRounds.length && !m.commentRounds.length) box.appendChild(h('p', { class: 'muted' }, t('none')));
  for (const r of m.approvalRounds) {
    box.append(
      h('h3', {}, `${t('round')} ${r.round} — ${t('version')} ${r.draftVersion}${r.outcome ? ` — ${r.outcome}` : ''}`),
      table(
        [t('memberState'), t('position'), t('text'), t('when')],
        r.states.map((s) =>
          h(
            'tr',
            { 'data-state': s.memberState },
            h('td', {}, s.memberState),
            h('td', { class: `pos-${s.position}` }, t(s.position)),
            h('td', { class: 'text' }, s.text ?? ''),
            h('td', {}, fmtDate(s.at)),
          ),
        ),
      ),
    );
  }
  for (const r of m.commentRounds) {
    box.append(
      h('h3', {}, `${t('comments')} ${r.round} — ${t('version')} ${r.draftVersion}`),
      table(
        [t('memberState'), t('answer'), t('text'), t('when')],
        r.states.map((s) =>
          h(
            'tr',
            {},
            h('td', {}, s.memberState),
            h('td', {}, t(s.answer)),
            h('td', { class: 'text' }, s.text ?? ''),
            h('td', {}, fmtDate(s.at)),
          ),
        ),
      ),
    );
  }
  return box;
}
