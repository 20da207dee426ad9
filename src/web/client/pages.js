// The pages. Every value from the API is inserted as text (see dom.js).
import { get, post, session, ApiError } from './api.js';
import { h, clear, table, fmtDate } from './dom.js';
import { t, label } from './i18n.js';
import { schemaForm } from './forms.js';
import { renderDiagram } from './diagram.js';
import { loadDraft, draftPanel, inboxDraft } from './draft.js';

const defsCache = { list: null };
export async function definitions() {
  if (!defsCache.list) defsCache.list = await get('/definitions');
  return defsCache.list;
}
export function defById(defs, id) {
  return defs.find((d) => d.id === id);
}
function stageLabel(defs, definitionId, path, fallback) {
  const s = defById(defs, definitionId)?.states.find((x) => x.path === path);
  return label(s?.label ?? fallback, path);
}
export function errorBox(err) {
  return h('p', { class: 'error', 'data-testid': 'error' }, err instanceof Error ? err.message : String(err));
}
export function card(title, ...body) {
  return h('section', { class: 'card' }, title ? h('h2', {}, title) : null, ...body);
}
export function procLink(id, text) {
  return h('a', { href: `#/procedure/${id}` }, text || id.slice(0, 8));
}
export function dueCell(item) {
  if (!item.nextDue) return '';
  return h(
    'span',
    { class: item.overdue ? 'overdue' : '' },
    fmtDate(item.nextDue),
    item.overdue ? ` (${t('overdue')})` : '',
  );
}

export async function signInPage(view, go) {
  const email = h('input', { id: 'email', type: 'email', autocomplete: 'username' });
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'current-password' });
  const msg = h('div');
  const form = h(
    'form',
    {
      'data-testid': 'sign-in',
      async onsubmit(e) {
        e.preventDefault();
        clear(msg);
        try {
          const res = await post('/auth/sign-in', { email: email.value.trim(), password: password.value });
          session.save(res.accessToken, res.user);
          go(homeOf(res.user));
        } catch (err) {
          msg.appendChild(errorBox(err));
        }
      },
    },
    h('label', { for: 'email' }, t('email')),
    email,
    h('label', { for: 'password' }, t('password')),
    password,
    h('div', {}, h('button', { type: 'submit' }, t('signIn'))),
    msg,
  );
  const banner = h('div');
  get('/auth/config')
    .then(
      (c) =>
        c?.demoBanner && banner.appendChild(h('p', { class: 'error', 'data-testid': 'demo-banner' }, c.demoBanner)),
    )
    .catch(() => undefined);
  view.appendChild(banner);
  view.appendChild(card(t('signIn'), form));
}

export function homeOf(user) {
  if (!user) return '#/sign-in';
  if (user.role === 'approver') return '#/inbox';
  if (user.role === 'manager' || user.role === 'admin') return '#/dashboard';
  return '#/procedures';
}

/** Officers see their own procedures (#/procedures) or every active one (#/procedures/all, e.g. to review a colleague's draft). */
export async function proceduresPage(view, go, scope) {
  const user = session.user;
  const officer = user.role === 'legal_officer' && scope !== 'all';
  const [defs, list] = await Promise.all([
    definitions(),
    officer ? myProcedures() : get('/instances?status=active&pageSize=200'),
  ]);
  const mine =
    officer && !list.startedByMe ? list.items.filter((i) => !i.startedBy || i.startedBy === user.id) : list.items;
  const rows = mine.map((i) =>
    h(
      'tr',
      { 'data-id': i.id },
      h('td', {}, procLink(i.id, `${i.measure ?? ''} ${label(defById(defs, i.definitionId)?.title, i.definitionId)}`)),
      h('td', {}, i.subject ?? ''),
      h('td', { 'data-testid': 'stage' }, label(i.stateLabel, i.state)),
      h('td', {}, dueCell(i)),
      h('td', {}, fmtDate(i.updatedAt)),
    ),
  );
  view.appendChild(h('h1', {}, officer ? t('myProcedures') : t('allProcedures')));
  const other =
    user.role !== 'legal_officer'
      ? null
      : officer
        ? h('a', { href: '#/procedures/all', 'data-testid': 'all-link' }, t('allActive'))
        : h('a', { href: '#/procedures', 'data-testid': 'mine-link' }, t('myProcedures'));
  view.appendChild(
    card(
      null,
      h('p', {}, h('a', { href: '#/start', 'data-testid': 'start-link' }, t('start')), other ? ' · ' : null, other),
      rows.length
        ? table([t('procedure'), t('subject'), t('stage'), t('nextDeadline'), t('updated')], rows, {
            'data-testid': 'procedures',
          })
        : h('p', { class: 'muted' }, t('none')),
    ),
  );
}

/** The officer's own procedures: ?startedBy=me where the API knows it (400 otherwise: every active one). */
async function myProcedures() {
  try {
    return { ...(await get('/instances?status=active&startedBy=me&pageSize=200')), startedByMe: true };
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) return get('/instances?status=active&pageSize=200');
    throw err;
  }
}

export async function startPage(view, go) {
  const user = session.user;
  const defs = (await definitions()).filter((d) => d.startRoles.includes(user.role));
  const select = h(
    'select',
    { id: 'definition', class: 'wide' },
    defs.map((d) => h('option', { value: d.id }, `${d.measure} ${label(d.title, d.id)}`)),
  );
  const holder = h('div');
  const msg = h('div');
  let form;
  const draw = () => {
    clear(holder);
    const d = defById(defs, select.value);
    if (!d) return;
    form = schemaForm(d.inputSchema, 'input');
    holder.appendChild(h('p', { class: 'muted' }, d.description || ''));
    holder.appendChild(form.element);
  };
  select.addEventListener('change', draw);
  draw();
  view.appendChild(h('h1', {}, t('start')));
  view.appendChild(
    card(
      null,
      h(
        'form',
        {
          'data-testid': 'start-form',
          async onsubmit(e) {
            e.preventDefault();
            clear(msg);
            try {
              const res = await post('/instances', { definitionId: select.value, input: form.read() });
              go(`#/procedure/${res.instance.id}`);
            } catch (err) {
              msg.appendChild(errorBox(err));
            }
          },
        },
        h('label', { for: 'definition' }, t('definition')),
        select,
        holder,
        h('div', {}, h('button', { type: 'submit' }, t('startIt'))),
        msg,
      ),
    ),
  );
}

export async function procedurePage(view, go, id) {
  const [inst, defs, hist, doc] = await Promise.all([
    get(`/instances/${encodeURIComponent(id)}`),
    definitions(),
    get(`/instances/${encodeURIComponent(id)}/history`),
    loadDraft(id).catch((err) => ({ error: err })),
  ]);
  const reload = () => go(`#/procedure/${id}`, true);
  const user = session.user;
  const def = defById(defs, inst.definition.id);
  const current = inst.stages.map((s) => s.path).concat(inst.state);
  const stageText = inst.stages.map((s) => label(s.label, s.path)).join(', ') || inst.state;

  view.appendChild(h('h1', {}, `${inst.definition.measure} ${label(inst.definition.title, inst.definition.id)}`));
  view.appendChild(
    card(
      null,
      h(
        'p',
        {},
        h('strong', {}, `${t('stage')}: `),
        h('span', { 'data-testid': 'current-stage', 'data-state': inst.state }, stageText),
      ),
      h('p', {}, `${t('status')}: ${inst.status}${inst.outcome ? ` — ${t('outcome')}: ${inst.outcome}` : ''}`),
      inst.subject ? h('p', {}, `${t('subject')}: ${inst.subject}`) : null,
      inst.parentId ? h('p', {}, procLink(inst.parentId, `↑ ${inst.parentId}`)) : null,
    ),
  );

  // actions the API says the caller may send now
  const actions = card(t('actions'));
  actions.setAttribute('data-testid', 'actions');
  if (!inst.allowedEvents.length) actions.appendChild(h('p', { class: 'muted' }, t('noActions')));
  for (const ev of inst.allowedEvents) {
    // a version named in a payload defaults to the latest version of the draft
    const form = schemaForm(ev.payloadSchema, `ev-${ev.type}`, { draftVersion: doc?.latest?.number });
    const msg = h('div');
    actions.appendChild(
      h(
        'form',
        {
          class: `event-form${ev.type === 'WITHDRAW' ? ' danger' : ''}`,
          'data-event': ev.type,
          async onsubmit(e) {
            e.preventDefault();
            clear(msg);
            try {
              await post(`/instances/${encodeURIComponent(id)}/events`, { type: ev.type, payload: form.read() });
              go(`#/procedure/${id}`, true);
            } catch (err) {
              msg.appendChild(errorBox(err));
            }
          },
        },
        h('div', { class: 'muted' }, ev.description || ''),
        form.element,
        h('button', { type: 'submit', 'data-testid': `send-${ev.type}` }, ev.type),
        msg,
      ),
    );
  }

  const diagram = h('div', { class: 'diagram', 'data-testid': 'diagram', 'data-current': inst.state });
  const manager = user.role === 'manager' && inst.status === 'active';
  const deadlines = inst.deadlines.length
    ? table(
        [t('deadlines'), t('due'), t('daysLeft')].concat(manager ? [t('extend')] : []),
        inst.deadlines.map((d) =>
          h(
            'tr',
            { 'data-key': d.key },
            h('td', {}, label(d.label, d.key)),
            h('td', { class: d.overdue ? 'overdue' : '' }, fmtDate(d.dueAt)),
            h('td', {}, d.overdue ? `${t('overdue')} (${d.daysLeft})` : String(d.daysLeft)),
            manager ? h('td', {}, extendForm(id, d, reload)) : null,
          ),
        ),
        { 'data-testid': 'deadlines' },
      )
    : h('p', { class: 'muted' }, t('none'));
  const children = inst.children.length
    ? table(
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
      )
    : h('p', { class: 'muted' }, t('none'));
  const matrix = h('div', { 'data-testid': 'matrix' }, t('loading'));
  const draft = h('div', { 'data-testid': 'draft' }, doc?.error ? errorBox(doc.error) : draftPanel(inst, doc, reload));
  const timeline = table(
    [t('when'), t('event'), t('who'), t('stage'), t('details')],
    hist.map((e) =>
      h(
        'tr',
        {},
        h('td', {}, fmtDate(e.at)),
        h('td', {}, e.type),
        h(
          'td',
          {},
          `${e.actor.role}${e.actor.memberState ? ` (${e.actor.memberState})` : ''} ${String(e.actor.id).slice(0, 8)}${e.actor.actingFor ? ` → ${String(e.actor.actingFor).slice(0, 8)}` : ''}`,
        ),
        h(
          'td',
          {},
          `${stageLabel(defs, inst.definition.id, e.stateBefore ?? '', e.stateBefore ?? '')} → ${stageLabel(defs, inst.definition.id, e.stateAfter, e.stateAfter)}`,
        ),
        h('td', { class: 'text' }, e.payload && Object.keys(e.payload).length ? JSON.stringify(e.payload) : ''),
      ),
    ),
    { 'data-testid': 'timeline' },
  );

  view.appendChild(actions);
  view.appendChild(
    card(t('diagram'), h('p', {}, h('span', { class: 'badge' }, `${t('current')}: ${stageText}`)), diagram),
  );
  view.appendChild(h('div', { class: 'grid' }, card(t('deadlines'), deadlines), card(t('children'), children)));
  view.appendChild(card(t('approvals'), matrix));
  view.appendChild(card(t('draft'), draft));
  view.appendChild(card(t('timeline'), timeline));

  if (def) await renderDiagram(diagram, def, current);
  get(`/instances/${encodeURIComponent(id)}/approvals`).then(
    (m) => {
      clear(matrix).appendChild(matrixView(m));
    },
    (err) => {
      clear(matrix).appendChild(errorBox(err));
    },
  );
}

/** Managers move a deadline: a new due date and the reason, kept in the record. */
function extendForm(id, d, reload) {
  const due = new Date(new Date(d.dueAt).getTime() + 7 * 86_400_000);
  const dueAt = h('input', {
    type: 'datetime-local',
    name: 'dueAt',
    'aria-label': t('newDueDate'),
    value: due.toISOString().slice(0, 16),
  });
  const reason = h('input', { type: 'text', name: 'reason', 'aria-label': t('reason'), placeholder: t('reason') });
  const msg = h('div');
  return h(
    'form',
    {
      class: 'inline-form',
      'data-testid': `extend-${d.key}`,
      async onsubmit(e) {
        e.preventDefault();
        clear(msg);
        try {
          if (!dueAt.value) throw new Error(`${t('newDueDate')}: ${t('required')}`);
          await post(`/instances/${encodeURIComponent(id)}/deadlines/${encodeURIComponent(d.key)}/extend`, {
            dueAt: new Date(dueAt.value).toISOString(),
            reason: reason.value,
          });
          reload();
        } catch (err) {
          msg.appendChild(errorBox(err));
        }
      },
    },
    dueAt,
    ' ',
    reason,
    h('button', { type: 'submit' }, t('extend')),
    msg,
  );
}

function matrixView(m) {
  const box = h('div');
  if (!m.approvalRounds.length && !m.commentRounds.length) box.appendChild(h('p', { class: 'muted' }, t('none')));
  for (const r of m.approvalRounds) {
    box.appendChild(
      h('h3', {}, `${t('round')} ${r.round} — ${t('version')} ${r.draftVersion}${r.outcome ? ` — ${r.outcome}` : ''}`),
    );
    box.appendChild(
      table(
        [t('memberState'), t('position'), t('text'), t('when')],
        r.states.map((s) =>
          h(
            'tr',
            { 'data-state': s.memberState },
            h('td', {}, s.memberState),
            h('td', { class: `pos-${s.position}` }, t(s.position)),
            h('td', { class: 'text' }, s.text ?? ''),
            h('td', {}, fmtDate(s.at)),
          ),
        ),
      ),
    );
  }
  for (const r of m.commentRounds) {
    box.appendChild(h('h3', {}, `${t('comments')} ${r.round} — ${t('version')} ${r.draftVersion}`));
    box.appendChild(
      table(
        [t('memberState'), t('answer'), t('text'), t('when')],
        r.states.map((s) =>
          h(
            'tr',
            {},
            h('td', {}, s.memberState),
            h('td', {}, t(s.answer)),
            h('td', { class: 'text' }, s.text ?? ''),
            h('td', {}, fmtDate(s.at)),
          ),
        ),
      ),
    );
  }
  return box;
}

export async function inboxPage(view, go) {
  const inbox = await get('/approvals/inbox');
  view.appendChild(h('h1', {}, `${t('inbox')} — ${inbox.memberState}`));
  if (!inbox.items.length)
    view.appendChild(card(null, h('p', { class: 'muted', 'data-testid': 'inbox-empty' }, t('inboxEmpty'))));
  for (const item of inbox.items) {
    const kind = h(
      'select',
      { name: 'kind', class: 'wide' },
      item.answers.map((a) => h('option', { value: a }, t(a))),
    );
    const text = h('textarea', { name: 'text' });
    const msg = h('div');
    const draftBox = h('div');
    const openDraft = h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'data-testid': 'open-draft',
        onclick: () => {
          openDraft.remove();
          draftBox.appendChild(inboxDraft(item.instanceId, item.draftVersion));
        },
      },
      `${t('openDraftVersion')} ${item.draftVersion}`,
    );
    const box = card(
      null,
      h('h2', {}, procLink(item.instanceId, `${item.measure} ${label(item.title, item.definitionId)}`)),
      h('p', {}, `${t('stage')}: ${label(item.stageLabel, item.stage)} — ${t('draftVersion')} ${item.draftVersion}`),
      item.dueAt
        ? h(
            'p',
            { class: item.daysLeft < 0 ? 'overdue' : '' },
            `${t('due')}: ${fmtDate(item.dueAt)} (${t('daysLeft')}: ${item.daysLeft})`,
          )
        : null,
      openDraft,
      draftBox,
      h(
        'form',
        {
          'data-testid': 'answer-form',
          'data-id': item.instanceId,
          async onsubmit(e) {
            e.preventDefault();
            clear(msg);
            try {
              const body = { draftVersion: item.draftVersion, kind: kind.value };
              if (text.value.trim()) body.text = text.value;
              await post(`/approvals/${encodeURIComponent(item.instanceId)}/answer`, body);
              go('#/history', true);
            } catch (err) {
              msg.appendChild(errorBox(err));
            }
          },
        },
        h('label', {}, `${t('kind')} (${t('draftVersion')} ${item.draftVersion})`),
        kind,
        h('label', {}, t('text')),
        text,
        h('div', {}, h('button', { type: 'submit' }, t('answer'))),
        msg,
      ),
    );
    box.setAttribute('data-testid', 'inbox-item');
    box.setAttribute('data-id', item.instanceId);
    view.appendChild(box);
  }
}

export async function historyPage(view) {
  const [rows, defs] = await Promise.all([get('/approvals/history'), definitions()]);
  view.appendChild(h('h1', {}, t('history')));
  view.appendChild(
    card(
      null,
      rows.length
        ? table(
            [t('when'), t('procedure'), t('stage'), t('answer'), t('version'), t('text')],
            rows.map((r) =>
              h(
                'tr',
                {},
                h('td', {}, fmtDate(r.at)),
                h('td', {}, procLink(r.instanceId, `${label(defById(defs, r.definitionId)?.title, r.definitionId)}`)),
                h('td', {}, stageLabel(defs, r.definitionId, r.stage, r.stage)),
                h('td', { class: `pos-${r.payload?.kind}` }, t(r.payload?.kind ?? r.type)),
                h('td', {}, r.payload?.draftVersion ?? ''),
                h('td', { class: 'text', 'data-testid': 'answer-text' }, r.payload?.text ?? r.payload?.comments ?? ''),
              ),
            ),
            { 'data-testid': 'history' },
          )
        : h('p', { class: 'muted' }, t('none')),
    ),
  );
}
