// The head of a procedure page: its title, current stage, status and parent.
import type { InstanceView } from '../api/views';
import { h } from '../dom';
import { t, label } from '../i18n';
import { card, procLink } from '../ui';

/** The current stages in the chosen language ("a, b"), or the state path. */
export function stageText(inst: InstanceView): string {
  return inst.stages.map((s) => label(s.label, s.path)).join(', ') || inst.state;
}

export function summaryView(inst: InstanceView): HTMLElement[] {
  return [
    h('h1', {}, `${inst.definition.measure} ${label(inst.definition.title, inst.definition.id)}`),
    card(
      null,
      h(
        'p',
        {},
        h('strong', {}, `${t('stage')}: `),
        h('span', { 'data-testid': 'current-stage', 'data-state': inst.state }, stageText(inst)),
      ),
      h('p', {}, `${t('status')}: ${inst.status}${inst.outcome ? ` — ${t('outcome')}: ${inst.outcome}` : ''}`),
      inst.subject ? h('p', {}, `${t('subject')}: ${inst.subject}`) : null,
      inst.parentId ? h('p', {}, procLink(inst.parentId, `↑ ${inst.parentId}`)) : null,
    ),
  ];
}
