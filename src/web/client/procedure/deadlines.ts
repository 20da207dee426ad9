// A procedure's open deadlines; a manager may move one (a new due date and the reason, kept in the record).
import { post } from '../api/client';
import type { DeadlineView, InstanceView } from '../api/views';
import { fmtDate, h, table } from '../dom';
import { t, label } from '../i18n';
import { actionForm, none } from '../ui';

export function deadlinesView(inst: InstanceView, canExtend: boolean, extended: () => void): HTMLElement {
  if (!inst.deadlines.length) return none();
  return table(
    [t('deadlines'), t('due'), t('daysLeft')].concat(canExtend ? [t('extend')] : []),
    inst.deadlines.map((d) =>
      h(
        'tr',
        { 'data-key': d.key },
        h('td', {}, label(d.label, d.key)),
        h('td', { class: d.overdue ? 'overdue' : '' }, fmtDate(d.dueAt)),
        h('td', {}, d.overdue ? `${t('overdue')} (${d.daysLeft})` : String(d.daysLeft)),
        canExtend ? h('td', {}, extendForm(inst.id, d, extended)) : null,
      ),
    ),
    { 'data-testid': 'deadlines' },
  );
}

function extendForm(id: string, d: DeadlineView, extended: () => void): HTMLFormElement {
  const due = new Date(new Date(d.dueAt).getTime() + 7 * 86_400_000);
  const dueAt = h('input', {
    type: 'datetime-local',
    name: 'dueAt',
    'aria-label': t('newDueDate'),
    value: due.toISOString().slice(0, 16),
  });
  const reason = h('input', { type: 'text', name: 'reason', 'aria-label': t('reason'), placeholder: t('reason') });
  const extend = async () => {
    if (!dueAt.value) throw new Error(`${t('newDueDate')}: ${t('required')}`);
    await post('/instances/{id}/deadlines/{key}/extend', {
      path: { id, key: d.key },
      body: { dueAt: new Date(dueAt.value).toISOString(), reason: reason.value },
    });
    extended();
  };
  return actionForm(
    { class: 'inline-form', 'data-testid': `extend-${d.key}` },
    extend,
    dueAt,
    ' ',
    reason,
    h('button', { type: 'submit' }, t('extend')),
  );
}
