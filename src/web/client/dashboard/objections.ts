// Objections in the latest approval round of the listed procedures (the dashboard's figures do
// not carry them: they are read from each procedure's approval matrix).
import { get } from '../api/client';
import type { ApprovalMatrix, InstanceListItem } from '../api/views';
import { fmtDate, h, table } from '../dom';
import { t } from '../i18n';
import { card, none, procLink } from '../ui';
import type { Naming } from './monitoring';

/** How many procedures' matrices one render reads at most. */
const MATRICES = 100;

type Round = ApprovalMatrix['approvalRounds'][number];
interface Objection {
  item: InstanceListItem;
  round: Round;
  state: Round['states'][number];
}

export async function objections(items: InstanceListItem[]): Promise<Objection[]> {
  const matrices = await Promise.all(
    items.slice(0, MATRICES).map((item) =>
      get('/instances/{id}/approvals', { path: { id: item.id } }).then(
        (m) => ({ item, m }),
        () => null,
      ),
    ),
  );
  const found: Objection[] = [];
  for (const x of matrices) {
    const round = x?.m.approvalRounds[x.m.approvalRounds.length - 1];
    if (!x || !round) continue;
    for (const state of round.states.filter((s) => s.position === 'object')) found.push({ item: x.item, round, state });
  }
  return found;
}

export function objectionsView(found: Objection[], n: Naming): HTMLElement {
  return card(
    t('objections'),
    found.length
      ? table(
          [t('procedure'), t('memberState'), t('version'), t('reason'), t('when')],
          found.map(({ item, state, round }) =>
            h(
              'tr',
              { 'data-state': state.memberState },
              h('td', {}, procLink(item.id, n.title(item.definitionId, item.measure))),
              h('td', {}, state.memberState),
              h('td', {}, String(round.draftVersion)),
              h('td', { class: 'text' }, state.text ?? ''),
              h('td', {}, fmtDate(state.at)),
            ),
          ),
          { 'data-testid': 'objections' },
        )
      : none('objections'),
  );
}
