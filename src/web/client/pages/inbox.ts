// An approver's inbox: what their member state owes an answer on, with the draft to read.
import { get, post, session } from '../api/client';
import type { InboxItem } from '../api/views';
import { clear, fmtDate, h } from '../dom';
import { inboxDraft } from '../draft/inbox-draft';
import { t, label } from '../i18n';
import { plainStatement, signWithPasskey, statementFor, type StatementReply } from '../signing';
import { actionForm, card, errorBox, procLink, type Go } from '../ui';

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

/**
 * The answer form. "Review" asks the service for the statement of the answer; with a passkey, the
 * statement is shown in plain words and "Sign and send" signs it (one browser prompt) and sends
 * the answer with its signature. Without a passkey, where the service accepts unsigned answers,
 * the answer is sent as it is; where it requires a signature, the page says how to get a passkey.
 */
function answerForm(item: InboxItem, answered: () => void): HTMLFormElement {
  const kind = h(
    'select',
    { name: 'kind', class: 'wide', onchange: () => clear(review) },
    item.answers.map((a) => h('option', { value: a }, t(a))),
  );
  const text = h('textarea', { name: 'text', oninput: () => clear(review) });
  const review = h('div', { 'data-testid': 'answer-review' });
  const body = () => ({
    draftVersion: item.draftVersion,
    kind: item.answers[kind.selectedIndex],
    ...(text.value.trim() ? { text: text.value } : {}),
  });
  const send = async (signature?: Awaited<ReturnType<typeof signWithPasskey>>) => {
    await post('/approvals/{instanceId}/answer', {
      path: { instanceId: item.instanceId },
      body: { ...body(), ...(signature ? { signature } : {}) },
    });
    answered();
  };
  const showStatement = (reply: StatementReply) => {
    const msg = h('div');
    const signAndSend = h(
      'button',
      {
        type: 'button',
        'data-testid': 'sign-and-send',
        onclick: async () => {
          clear(msg);
          try {
            await send(await signWithPasskey(reply));
          } catch (err) {
            msg.appendChild(errorBox(err));
          }
        },
      },
      t('signAndSend'),
    );
    clear(review).append(
      plainStatement(reply.statement, {
        signer: session.user?.displayName ?? reply.statement.signer,
        title: label(item.title, item.definitionId),
      }),
      signAndSend,
      msg,
    );
  };
  const answer = async () => {
    const reply = await statementFor(item.instanceId, body());
    if (reply.passkeys.length) return showStatement(reply);
    if (reply.signing === 'optional') return send();
    clear(review).appendChild(h('p', { class: 'error', 'data-testid': 'need-passkey' }, t('needPasskey')));
  };
  return actionForm(
    { 'data-testid': 'answer-form', 'data-id': item.instanceId },
    answer,
    h('label', {}, `${t('kind')} (${t('draftVersion')} ${item.draftVersion})`),
    kind,
    h('label', {}, t('text')),
    text,
    h('div', {}, h('button', { type: 'submit' }, t('answer'))),
    review,
  );
}
