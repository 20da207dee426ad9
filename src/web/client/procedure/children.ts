// The procedures this one opened, with their stage and outcome.
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
