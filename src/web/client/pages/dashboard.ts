// The manager's dashboard: the figures of GET /monitoring/dashboard, the objections of the latest
// rounds, and every active procedure (all narrowed by the filters).
import { get } from '../api/client';
import type { InstanceListItem } from '../api/views';
import { filterBar, filterQuery } from '../dashboard/filters';
import { monitoringView, naming, type Naming } from '../dashboard/monitoring';
import { objections, objectionsView } from '../dashboard/objections';
import { definitions } from '../definitions';
import { fmtDate, h, table } from '../dom';
import { t, label } from '../i18n';
import { card, dueCell, procLink, type Go } from '../ui';

export async function dashboardPage(view: HTMLElement, go: Go): Promise<void> {
  const [defs, partners, list, mon] = await Promise.all([
    definitions(),
    get('/reference/partners').catch(() => []),
    get('/instances', { query: { status: 'active', pageSize: 200, ...filterQuery() } }),
    get('/monitoring/dashboard', { query: filterQuery() }),
  ]);
  const n = naming(defs);
  view.setAttribute('data-source', 'monitoring');
  view.append(
    h('h1', {}, t('dashboard')),
    card(
      null,
      filterBar(defs, partners, () => go('#/dashboard', true)),
      h('p', { class: 'muted' }, `${t('generatedAt')} ${fmtDate(mon.generatedAt)}`),
    ),
    ...monitoringView(mon, n),
  );
  view.append(objectionsView(await objections(list.items), n), proceduresCard(list.items, n));
}

function proceduresCard(items: InstanceListItem[], n: Naming): HTMLElement {
  return card(
    t('allProcedures'),
    table(
      [t('procedure'), t('stage'), t('subject'), t('nextDeadline')],
      items.map((i) =>
        h(
          'tr',
          { 'data-id': i.id },
          h('td', {}, procLink(i.id, n.title(i.definitionId, i.measure))),
          h('td', {}, label(i.stateLabel, i.state)),
          h('td', {}, i.subject ?? ''),
          h('td', {}, dueCell(i)),
        ),
      ),
      { 'data-testid': 'all-procedures' },
    ),
  );
}
