// The events the API says the caller may send now, each as a form built from its payload schema.
import { post } from '../api/client';
import type { InstanceView } from '../api/views';
import { h } from '../dom';
import { schemaForm } from '../forms';
import { t } from '../i18n';
import { actionForm, card } from '../ui';

/** `latestDraftVersion` pre-fills a payload's draftVersion; `sent()` runs after the API accepted an event. */
export function actionsView(inst: InstanceView, latestDraftVersion: number | undefined, sent: () => void) {
  const actions = card(t('actions'));
  actions.setAttribute('data-testid', 'actions');
  if (!inst.allowedEvents.length) actions.appendChild(h('p', { class: 'muted' }, t('noActions')));
  for (const ev of inst.allowedEvents) {
    const form = schemaForm(ev.payloadSchema, `ev-${ev.type}`, { draftVersion: latestDraftVersion });
    const send = async () => {
      await post('/instances/{id}/events', {
        path: { id: inst.id },
        body: { type: ev.type, payload: form.read() },
      });
      sent();
    };
    actions.appendChild(
      actionForm(
        { class: `event-form${ev.type === 'WITHDRAW' ? ' danger' : ''}`, 'data-event': ev.type },
        send,
        h('div', { class: 'muted' }, ev.description || ''),
        form.element,
        h('button', { type: 'submit', 'data-testid': `send-${ev.type}` }, ev.type),
      ),
    );
  }
  return actions;
}
