// Every event of a procedure: when, what, who (acting for whom), from which stage to which.
import type { DefinitionView, HistoryEntry } from '../api/views';
import { stageLabel } from '../definitions';
import { fmtDate, h, table } from '../dom';
import { t } from '../i18n';

function who(actor: HistoryEntry['actor']): string {
  const state = actor.memberState ? ` (${actor.memberState})` : '';
  const acting = actor.actingFor ? ` → ${String(actor.actingFor).slice(0, 8)}` : '';
  return `${actor.role}${state} ${String(actor.id).slice(0, 8)}${acting}`;
}

export function timelineView(defs: DefinitionView[], definitionId: string, hist: HistoryEntry[]): HTMLElement {
  const stage = (path: string) => stageLabel(defs, definitionId, path, path);
  return table(
    [t('when'), t('event'), t('who'), t('stage'), t('details')],
    hist.map((e) =>
      h(
        'tr',
        {},
        h('td', {}, fmtDate(e.at)),
        h('td', {}, e.type),
        h('td', {}, who(e.actor)),
        h('td', {}, `${stage(e.stateBefore ?? '')} → ${stage(e.stateAfter)}`),
        h('td', { class: 'text' }, e.payload && Object.keys(e.payload).length ? JSON.stringify(e.payload) : ''),
      ),
    ),
    { 'data-testid': 'timeline' },
  );
}
