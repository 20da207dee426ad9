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
        [t('memberState'), t('position'), t('text'), t('when'), t('signedHow')],
        r.states.map((s) =>
          h(
            'tr',
            { 'data-state': s.memberState },
            h('td', {}, s.memberState),
            h('td', { class: `pos-${s.position}` }, t(s.position)),
            h('td', { class: 'text' }, s.text ?? ''),
            h('td', {}, fmtDate(s.at)),
            signedCell(s),
          ),
        ),
      ),
    );
  }
  for (const r of m.commentRounds) {
    box.append(
      h('h3', {}, `${t('comments')} ${r.round} — ${t('version')} ${r.draftVersion}`),
      table(
        [t('memberState'), t('answer'), t('text'), t('when'), t('signedHow')],
        r.states.map((s) =>
          h(
            'tr',
            { 'data-state': s.memberState },
            h('td', {}, s.memberState),
            h('td', {}, t(s.answer)),
            h('td', { class: 'text' }, s.text ?? ''),
            h('td', {}, fmtDate(s.at)),
            signedCell(s),
          ),
        ),
      ),
    );
  }
  return box;
}

/** Whether an answer was signed, and with what (the statement hash in the title, for a reader who checks). */
function signedCell(s: { at: string | null; signed: { keyType: string; statementHash: string } | null }): HTMLElement {
  if (!s.at) return h('td', {});
  if (!s.signed) return h('td', { class: 'muted', 'data-testid': 'unsigned' }, t('unsigned'));
  return h(
    'td',
    { class: 'signed', 'data-testid': 'signed', 'data-key-type': s.signed.keyType, title: s.signed.statementHash },
    `✔ ${t('signed')} (${s.signed.keyType === 'webauthn' ? 'passkey' : 'Ed25519'})`,
  );
}
