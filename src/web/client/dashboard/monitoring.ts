// The figures of GET /monitoring/dashboard: totals, items by stage, who holds items up, time per
// stage, overdue and due this week.
import type { Dashboard, DashboardItem, DefinitionView, Labels } from '../api/views';
import { defById, definitionTitle } from '../definitions';
import { fmtDate, h, table, type Child } from '../dom';
import { t, label } from '../i18n';
import { card, none, procLink } from '../ui';

/** Titles and stage labels of the definitions, as the dashboard names them. */
export interface Naming {
  title(definitionId: string, measure?: string | null): string;
  stage(definitionId: string, state: string, l?: Labels | null): string;
}

export function naming(defs: DefinitionView[]): Naming {
  return {
    title: (definitionId, measure) => definitionTitle(defs, definitionId, measure),
    stage: (definitionId, state, l) =>
      label(l ?? defById(defs, definitionId)?.states.find((s) => s.path === state)?.label, state),
  };
}

const big = (testid: string, value: number, cls?: string) =>
  h('p', { class: `big ${cls || ''}`, 'data-testid': testid }, String(value));

/** A card with a table of `rows`, or "none" (both carry `testid`). */
function tableCard(title: string, testid: string, headers: string[], rows: Child[]): HTMLElement {
  return card(title, rows.length ? table(headers, rows, { 'data-testid': testid }) : none(testid));
}

export function monitoringView(m: Dashboard, n: Naming): HTMLElement[] {
  return [
    h(
      'div',
      { class: 'grid' },
      card(t('activeOnly'), big('active-count', m.totals.active)),
      card(t('overdueItems'), big('overdue-count', m.totals.overdue, m.totals.overdue ? 'overdue' : '')),
      card(t('dueThisWeek'), big('due-week-count', m.totals.dueThisWeek)),
      card(t('doneCount'), big('done-count', m.totals.done)),
    ),
    tableCard(t('byProcedure'), 'by-stage', [t('procedure'), t('stage'), t('count'), t('overdueItems')], byStage(m, n)),
    tableCard(
      t('holding'),
      'holding',
      [t('memberState'), t('items'), t('waitingDays'), t('since')],
      m.holdingUp.map((x) =>
        h(
          'tr',
          { 'data-state': x.memberState },
          h('td', {}, x.memberState),
          h('td', {}, String(x.items)),
          h('td', {}, String(x.days)),
          h(
            'td',
            {},
            fmtDate(x.oldestSince),
            ' ',
            (x.instanceIds || []).slice(0, 5).map((id) => [procLink(id), ' ']),
          ),
        ),
      ),
    ),
    tableCard(
      t('stageDurations'),
      'stage-durations',
      [t('procedure'), t('stage'), t('averageDays'), t('samples')],
      m.stageDurations.map((d) =>
        h(
          'tr',
          { 'data-definition': d.definitionId, 'data-state': d.state },
          h('td', {}, n.title(d.definitionId)),
          h('td', {}, n.stage(d.definitionId, d.state, d.label)),
          h('td', { 'data-testid': 'average-days' }, Number(d.averageDays).toFixed(1)),
          h('td', {}, String(d.samples)),
        ),
      ),
    ),
    tableCard(
      t('overdueItems'),
      'overdue-items',
      [t('procedure'), t('stage'), t('subject'), t('deadlines'), t('due'), t('daysOverdue')],
      m.overdueItems.map((x) => itemRow(x, n, x.daysOverdue, true)),
    ),
    tableCard(
      t('dueThisWeek'),
      'due-week-items',
      [t('procedure'), t('stage'), t('subject'), t('deadlines'), t('due'), t('daysLeft')],
      m.dueThisWeekItems.map((x) => itemRow(x, n, x.daysLeft, false)),
    ),
  ];
}

/** One row per stage that is not done, with its count and how many of them are overdue. */
function byStage(m: Dashboard, n: Naming): HTMLElement[] {
  return m.byProcedure.flatMap((p) =>
    p.stages
      .filter((s) => s.status !== 'done')
      .map((s) =>
        h(
          'tr',
          { 'data-definition': p.definitionId, 'data-state': s.state },
          h('td', {}, n.title(p.definitionId, p.measure)),
          h('td', {}, n.stage(p.definitionId, s.state, s.label)),
          h('td', {}, String(s.count)),
          h('td', { class: s.overdue ? 'overdue' : '' }, String(s.overdue)),
        ),
      ),
  );
}

/** One deadline of the overdue or the due-this-week list; `days` overdue or left. */
function itemRow(x: DashboardItem, n: Naming, days: number, overdue: boolean): HTMLElement {
  return h(
    'tr',
    { 'data-id': x.instanceId },
    h('td', {}, procLink(x.instanceId, n.title(x.definitionId))),
    h('td', {}, n.stage(x.definitionId, x.state)),
    h('td', {}, x.subject ?? ''),
    h('td', {}, label(x.label, x.deadlineKey)),
    h('td', {}, fmtDate(x.dueAt)),
    h('td', { class: overdue ? 'overdue' : '' }, String(days)),
  );
}
