// The procedures this one opened, with their stage and outcome; the 1(a) findings linked to it.
import type { DefinitionView, InstanceView } from '../api/views';
import { stageLabel } from '../definitions';
import { h, table } from '../dom';
import { t } from '../i18n';
import { none, procLink } from '../ui';

export function childrenView(defs: DefinitionView[], inst: InstanceView): HTMLElement {
  if (!inst.children.length) return none();
  return table(
    [t('procedure'), t('stage'), t('status')],
    inst.children.map((c) =>
      h(
        'tr',
        {},
        h('td', {}, procLink(c.id, `${c.definitionId} ${c.key ?? ''}`)),
        h('td', {}, stageLabel(defs, c.definitionId, c.state, c.state)),
        h('td', {}, c.outcome ?? c.status),
      ),
    ),
  );
}

/** The findings of a 1(a) analysis linked to this procedure (or, on the analysis, the procedures they feed). */
export function findingLinksView(inst: InstanceView): HTMLElement {
  if (!inst.findingLinks.length) return none();
  const onAnalysis = inst.findingLinks.every((l) => l.analysisId === inst.id);
  const rows = table(
    [t('finding'), t('memorandum'), onAnalysis ? t('procedure') : t('analysis'), t('linkedBy')],
    inst.findingLinks.map((l) =>
      h(
        'tr',
        {},
        h('td', {}, `${l.findingId}: ${l.findingText}`),
        h('td', {}, l.memorandumId ?? ''),
        h(
          'td',
          {},
          l.analysisId === inst.id
            ? procLink(l.procedureId, l.procedureDefinitionId)
            : procLink(l.analysisId, 'implementation-analysis'),
        ),
        h('td', {}, `${l.linkedBy}, ${l.linkedAt.slice(0, 10)}`),
      ),
    ),
  );
  return h('div', { 'data-testid': 'finding-links' }, rows);
}
