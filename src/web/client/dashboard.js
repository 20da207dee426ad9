// The manager's dashboard. Reads GET /monitoring/dashboard when the server has it (200) and
// otherwise works the figures out from the list of active procedures and their approval matrices.
import { get } from './api.js';
import { h, table, fmtDate } from './dom.js';
import { t, label } from './i18n.js';
import { card, definitions, defById, procLink, dueCell } from './pages.js';

const filters = { definition: '', partner: '' };
const DAY = 86_400_000;
const big = (testid, value, cls) => h('p', { class: `big ${cls || ''}`, 'data-testid': testid }, String(value));
const none = (testid) => h('p', { class: 'muted', 'data-testid': testid }, t('none'));

function query(extra) {
  const q = new URLSearchParams(extra);
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  return q.toString();
}

async function monitoring() {
  try {
    return await get(`/monitoring/dashboard?${query({})}`);
  } catch {
    return null; // not on this server (yet): fall back
  }
}

export async function dashboardPage(view, go) {
  const [defs, partners, list, mon] = await Promise.all([
    definitions(),
    get('/reference/partners').catch(() => []),
    get(`/instances?${query({ status: 'active', pageSize: '200' })}`),
    monitoring(),
  ]);
  const items = list.items;
  const title = (definitionId, measure) =>
    `${measure ?? defById(defs, definitionId)?.measure ?? ''} ${label(defById(defs, definitionId)?.title, definitionId)}`;
  const stage = (definitionId, state, l) =>
    label(l ?? defById(defs, definitionId)?.states.find((s) => s.path === state)?.label, state);

  // filters: procedure and partner
  const defSel = h(
    'select',
    { id: 'filter-definition', 'data-testid': 'filter-definition' },
    h('option', { value: '' }, t('anyProcedure')),
    defs.map((d) =>
      h('option', { value: d.id, selected: d.id === filters.definition }, `${d.measure} ${label(d.title, d.id)}`),
    ),
  );
  const partnerSel = h(
    'select',
    { id: 'filter-partner', 'data-testid': 'filter-partner' },
    h('option', { value: '' }, t('allPartners')),
    partners.map((p) =>
      h('option', { value: p.code, selected: p.code === filters.partner }, `${p.code} ${label(p.name, p.code)}`),
    ),
  );
  const apply = () => {
    filters.definition = defSel.value;
    filters.partner = partnerSel.value;
    go('#/dashboard', true);
  };
  defSel.addEventListener('change', apply);
  partnerSel.addEventListener('change', apply);

  view.appendChild(h('h1', {}, t('dashboard')));
  view.setAttribute('data-source', mon ? 'monitoring' : 'instances');
  view.appendChild(
    card(
      null,
      h(
        'div',
        { class: 'toolbar' },
        h('label', { class: 'inline', for: 'filter-definition' }, `${t('procedure')}: `),
        defSel,
        h('label', { class: 'inline', for: 'filter-partner' }, ` ${t('partner')}: `),
        partnerSel,
      ),
      mon ? h('p', { class: 'muted' }, `${t('generatedAt')} ${fmtDate(mon.generatedAt)}`) : null,
    ),
  );

  if (mon) monitoringView(view, mon, title, stage);
  else fallbackView(view, items, list.total, title, stage);

  // objections of the latest rounds (approval matrices of the listed procedures)
  const matrices = await Promise.all(
    items.slice(0, 100).map((i) =>
      get(`/instances/${i.id}/approvals`).then(
        (m) => ({ i, m }),
        () => null,
      ),
    ),
  );
  const objections = [];
  const holding = new Map();
  for (const x of matrices.filter(Boolean)) {
    const last = x.m.approvalRounds[x.m.approvalRounds.length - 1];
    if (!last) continue;
    for (const s of last.states.filter((s) => s.position === 'object')) objections.push({ i: x.i, s, round: last });
    if (last.closedAt) continue;
    for (const s of last.states.filter((s) => s.position === 'no_answer')) {
      const cur = holding.get(s.memberState) ?? { n: 0, oldest: Date.now(), ids: [] };
      cur.n += 1;
      cur.oldest = Math.min(cur.oldest, new Date(last.openedAt).getTime());
      cur.ids.push(x.i.id);
      holding.set(s.memberState, cur);
    }
  }
  if (!mon) {
    view.appendChild(
      card(
        t('holding'),
        holding.size
          ? table(
              [t('memberState'), t('items'), t('waitingDays')],
              [...holding.entries()]
                .sort((a, b) => b[1].n - a[1].n)
                .map(([state, v]) =>
                  h(
                    'tr',
                    { 'data-state': state },
                    h('td', {}, state),
                    h('td', {}, String(v.n)),
                    h('td', {}, String(Math.max(0, Math.floor((Date.now() - v.oldest) / DAY)))),
                  ),
                ),
              { 'data-testid': 'holding' },
            )
          : none('holding'),
      ),
    );
    view.appendChild(
      card(t('stageDurations'), h('p', { class: 'muted', 'data-testid': 'stage-durations' }, t('notAvailable'))),
    );
  }
  view.appendChild(
    card(
      t('objections'),
      objections.length
        ? table(
            [t('procedure'), t('memberState'), t('version'), t('reason'), t('when')],
            objections.map(({ i, s, round }) =>
              h(
                'tr',
                { 'data-state': s.memberState },
                h('td', {}, procLink(i.id, title(i.definitionId, i.measure))),
                h('td', {}, s.memberState),
                h('td', {}, String(round.draftVersion)),
                h('td', { class: 'text' }, s.text ?? ''),
                h('td', {}, fmtDate(s.at)),
              ),
            ),
            { 'data-testid': 'objections' },
          )
        : none('objections'),
    ),
  );
  view.appendChild(
    card(
      t('allProcedures'),
      table(
        [t('procedure'), t('stage'), t('subject'), t('nextDeadline')],
        items.map((i) =>
          h(
            'tr',
            { 'data-id': i.id },
            h('td', {}, procLink(i.id, title(i.definitionId, i.measure))),
            h('td', {}, label(i.stateLabel, i.state)),
            h('td', {}, i.subject ?? ''),
            h('td', {}, dueCell(i)),
          ),
        ),
        { 'data-testid': 'all-procedures' },
      ),
    ),
  );
}

function monitoringView(view, m, title, stage) {
  view.appendChild(
    h(
      'div',
      { class: 'grid' },
      card(t('activeOnly'), big('active-count', m.totals.active)),
      card(t('overdueItems'), big('overdue-count', m.totals.overdue, m.totals.overdue ? 'overdue' : '')),
      card(t('dueThisWeek'), big('due-week-count', m.totals.dueThisWeek)),
      card(t('doneCount'), big('done-count', m.totals.done)),
    ),
  );
  const rows = m.byProcedure.flatMap((p) =>
    p.stages
      .filter((s) => s.status !== 'done')
      .map((s) =>
        h(
          'tr',
          { 'data-definition': p.definitionId, 'data-state': s.state },
          h('td', {}, title(p.definitionId, p.measure)),
          h('td', {}, stage(p.definitionId, s.state, s.label)),
          h('td', {}, String(s.count)),
          h('td', { class: s.overdue ? 'overdue' : '' }, String(s.overdue)),
        ),
      ),
  );
  view.appendChild(
    card(
      t('byProcedure'),
      rows.length
        ? table([t('procedure'), t('stage'), t('count'), t('overdueItems')], rows, { 'data-testid': 'by-stage' })
        : none('by-stage'),
    ),
  );
  view.appendChild(
    card(
      t('holding'),
      m.holdingUp.length
        ? table(
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
            { 'data-testid': 'holding' },
          )
        : none('holding'),
    ),
  );
  view.appendChild(
    card(
      t('stageDurations'),
      m.stageDurations.length
        ? table(
            [t('procedure'), t('stage'), t('averageDays'), t('samples')],
            m.stageDurations.map((d) =>
              h(
                'tr',
                { 'data-definition': d.definitionId, 'data-state': d.state },
                h('td', {}, title(d.definitionId)),
                h('td', {}, stage(d.definitionId, d.state, d.label)),
                h('td', { 'data-testid': 'average-days' }, Number(d.averageDays).toFixed(1)),
                h('td', {}, String(d.samples)),
              ),
            ),
            { 'data-testid': 'stage-durations' },
          )
        : none('stage-durations'),
    ),
  );
  const itemRow = (x, days) =>
    h(
      'tr',
      { 'data-id': x.instanceId },
      h('td', {}, procLink(x.instanceId, title(x.definitionId))),
      h('td', {}, stage(x.definitionId, x.state)),
      h('td', {}, x.subject ?? ''),
      h('td', {}, label(x.label, x.deadlineKey)),
      h('td', {}, fmtDate(x.dueAt)),
      h('td', { class: days === 'daysOverdue' ? 'overdue' : '' }, String(x[days])),
    );
  view.appendChild(
    card(
      t('overdueItems'),
      m.overdueItems.length
        ? table(
            [t('procedure'), t('stage'), t('subject'), t('deadlines'), t('due'), t('daysOverdue')],
            m.overdueItems.map((x) => itemRow(x, 'daysOverdue')),
            { 'data-testid': 'overdue-items' },
          )
        : none('overdue-items'),
    ),
  );
  view.appendChild(
    card(
      t('dueThisWeek'),
      m.dueThisWeekItems.length
        ? table(
            [t('procedure'), t('stage'), t('subject'), t('deadlines'), t('due'), t('daysLeft')],
            m.dueThisWeekItems.map((x) => itemRow(x, 'daysLeft')),
            { 'data-testid': 'due-week-items' },
          )
        : none('due-week-items'),
    ),
  );
}

function fallbackView(view, items, total, title) {
  const week = Date.now() + 7 * DAY;
  const counts = new Map();
  for (const i of items) {
    const key = `${i.definitionId}|${i.state}`;
    counts.set(key, { i, n: (counts.get(key)?.n ?? 0) + 1, late: (counts.get(key)?.late ?? 0) + (i.overdue ? 1 : 0) });
  }
  const overdue = items.filter((i) => i.overdue);
  const dueWeek = items.filter((i) => !i.overdue && i.nextDue && new Date(i.nextDue).getTime() <= week);
  const procRow = (i) =>
    h(
      'tr',
      { 'data-id': i.id },
      h('td', {}, procLink(i.id, title(i.definitionId, i.measure))),
      h('td', {}, label(i.stateLabel, i.state)),
      h('td', {}, i.subject ?? ''),
      h('td', {}, dueCell(i)),
    );
  view.appendChild(
    h(
      'div',
      { class: 'grid' },
      card(t('activeOnly'), big('active-count', total)),
      card(t('overdueItems'), big('overdue-count', overdue.length, overdue.length ? 'overdue' : '')),
      card(t('dueThisWeek'), big('due-week-count', dueWeek.length)),
    ),
  );
  view.appendChild(
    card(
      t('byProcedure'),
      table(
        [t('procedure'), t('stage'), t('count'), t('overdueItems')],
        [...counts.values()].map(({ i, n, late }) =>
          h(
            'tr',
            { 'data-definition': i.definitionId, 'data-state': i.state },
            h('td', {}, title(i.definitionId, i.measure)),
            h('td', {}, label(i.stateLabel, i.state)),
            h('td', {}, String(n)),
            h('td', { class: late ? 'overdue' : '' }, String(late)),
          ),
        ),
        { 'data-testid': 'by-stage' },
      ),
    ),
  );
  view.appendChild(
    card(
      t('overdueItems'),
      overdue.length
        ? table([t('procedure'), t('stage'), t('subject'), t('nextDeadline')], overdue.map(procRow), {
            'data-testid': 'overdue-items',
          })
        : none('overdue-items'),
    ),
  );
  view.appendChild(
    card(
      t('dueThisWeek'),
      dueWeek.length
        ? table([t('procedure'), t('stage'), t('subject'), t('nextDeadline')], dueWeek.map(procRow), {
            'data-testid': 'due-week-items',
          })
        : none('due-week-items'),
    ),
  );
}
