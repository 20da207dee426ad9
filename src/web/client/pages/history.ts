// What the approver's member state answered, newest first.
import { get } from '../api/client';
import type { AnswerHistoryRow, DefinitionView } from '../api/views';
import { definitions, defById, stageLabel } from '../definitions';
import { fmtDate, h, table } from '../dom';
import { t, label } from '../i18n';
import { card, none, procLink } from '../ui';

export async function historyPage(view: HTMLElement): Promise<void> {
  const [rows, defs] = await Promise.all([get('/approvals/history'), definitions()]);
  view.append(h('h1', {}, t('history')), card(null, rows.length ? historyTable(defs, rows) : none()));
}

function historyTable(defs: DefinitionView[], rows: AnswerHistoryRow[]): HTMLElement {
  return table(
    [t('when'), t('procedure'), t('stage'), t('answer'), t('version'), t('text')],
    rows.map((r) => {
      const kind = text(r.payload.kind);
      return h(
        'tr',
        {},
        h('td', {}, fmtDate(r.at)),
        h('td', {}, procLink(r.instanceId, label(defById(defs, r.definitionId)?.title, r.definitionId))),
        h('td', {}, r.stage === null ? '' : stageLabel(defs, r.definitionId, r.stage, r.stage)),
        h('td', { class: `pos-${kind}` }, t(kind ?? r.type)),
        h('td', {}, typeof r.payload.draftVersion === 'number' ? r.payload.draftVersion : ''),
        h(
          'td',
          { class: 'text', 'data-testid': 'answer-text' },
          text(r.payload.text) ?? text(r.payload.comments) ?? '',
        ),
      );
    }),
    { 'data-testid': 'history' },
  );
}

/** A payload field that is a string; anything else (absent, null) as undefined. */
function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
