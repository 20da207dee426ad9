// An approver's inbox: what their member state owes an answer on, with the draft to read.
import { get, post } from '../api/client';
import type { InboxItem } from '../api/views';
import { fmtDate, h } from '../dom';
import { inboxDraft } from '../draft/inbox-draft';
import { t, label } from '../i18n';
import { actionForm, card, procLink, type Go } from '../ui';

export async function inboxPage(view: HTMLElement, go: Go): Promise<void> {
  const inbox = await get('/approvals/inbox');
  view.appendChild(h('h1', {}, `${t('inbox')} — ${inbox.memberState}`));
  if (!inbox.items.length)
    view.appendChild(card(null, h('p', { class: 'muted', 'data-testid': 'inbox-empty' }, t('inboxEmpty'))));
  for (const item of inbox.items) view.appendChild(inboxItem(item, () => go('#/history', true)));
}

function inboxItem(item: InboxItem, answered: () => void): HTMLElement {
  const box = card(
    null,
    h(
      'h2',
      {},
      procLink(item.instanceId, `${item.measure ? `${item.measure} ` : ''}${label(item.title, item.definitionId)}`),
    ),
    h('p', {}, `${t('stage')}: ${label(item.stageLabel, item.stage)} — ${t('draftVersion')} ${item.draftVersion}`),
    item.dueAt
      ? h(
          'p',
          { class: item.daysLeft !== null && item.daysLeft < 0 ? 'overdue' : '' },
          `${t('due')}: ${fmtDate(item.dueAt)}${item.daysLeft === null ? '' : ` (${t('daysLeft')}: ${item.daysLeft})`}`,
        )
      : null,
    ...draftOpener(item),
    answerForm(item, answered),
  );
  box.setAttribute('data-testid', 'inbox-item');
  box.setAttribute('data-id', item.instanceId);
  return box;
}

/** A button that opens the version the item asks about (and its redline) in place. */
function draftOpener(item: InboxItem): HTMLElement[] {
  const draftBox = h('div');
  const open = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'data-testid': 'open-draft',
      onclick: () => {
        open.remove();
        draftBox.appendChild(inboxDraft(item.instanceId, item.draftVersion));
      },
    },
    `${t('openDraftVersion')} ${item.draftVersion}`,
  );
  return [open, draftBox];
}

function answerForm(item: InboxItem, answered: () => void): HTMLFormElement {
  const kind = h(
    'select',
    { name: 'kind', class: 'wide' },
    item.answers.map((a) => h('option', { value: a }, t(a))),
  );
  const text = h('textarea', { name: 'text' });
  const answer = async () => {
    await post('/approvals/{instanceId}/answer', {
      path: { instanceId: item.instanceId },
      body: {
        draftVersion: item.draftVersion,
        kind: item.answers[kind.selectedIndex],
        ...(text.value.trim() ? { text: text.value } : {}),
      },
    });
    answered();
  };
  return actionForm(
    { 'data-testid': 'answer-form', 'data-id': item.instanceId },
    answer,
    h('label', {}, `${t('kind')} (${t('draftVersion')} ${item.draftVersion})`),
    kind,
    h('label', {}, t('text')),
    text,
    h('div', {}, h('button', { type: 'submit' }, t('answer'))),
  );
}
