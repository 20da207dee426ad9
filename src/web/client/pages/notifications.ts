// Notifications: the unread badge in the header and the list page.
import { get, post, session } from '../api/client';
import type { NotificationList } from '../api/views';
import { clear, fmtDate, h } from '../dom';
import { t } from '../i18n';

/** A header link to the list with the unread count, kept current by the live stream. */
export function notificationBadge(): HTMLElement {
  const count = h('span', { class: 'count', 'data-testid': 'unread-count', 'data-count': '0', hidden: true }, '0');
  const link = h('a', { href: '#/notifications', 'data-testid': 'notifications-link' }, t('notifications'), ' ', count);
  void refreshBadge(count);
  live();
  return link;
}

function show(count: HTMLElement, unread: number): void {
  count.textContent = String(unread);
  count.setAttribute('data-count', String(unread));
  count.hidden = unread === 0;
}

async function refreshBadge(count: HTMLElement): Promise<void> {
  if (!session.token) return;
  try {
    const { unread } = await get('/notifications/unread-count');
    show(count, unread);
  } catch {
    /* the badge is a hint; the list page shows errors */
  }
}

/** Refreshes the badge now on screen, if any. */
export function updateBadge(): void {
  const count = document.querySelector<HTMLElement>('[data-testid=unread-count]');
  if (count) void refreshBadge(count);
}

/** The one live connection (Server-Sent Events read through fetch, which can send the bearer token). */
let stream: { token: string; abort: AbortController } | null = null;

function live(): void {
  const token = session.token;
  if (!token || stream?.token === token) return;
  stream?.abort.abort();
  const abort = new AbortController();
  stream = { token, abort };
  void (async () => {
    for (let delay = 1000; !abort.signal.aborted && session.token === token; delay = Math.min(delay * 2, 30_000)) {
      try {
        const res = await fetch('/notifications/stream', {
          headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' },
          signal: abort.signal,
        });
        if (!res.ok || !res.body) throw new Error(String(res.status));
        delay = 1000;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          const events = buffer.split('\n\n');
          buffer = events.pop() ?? '';
          for (const e of events) {
            const data = e
              .split('\n')
              .filter((l) => l.startsWith('data:'))
              .map((l) => l.slice(5).trim())
              .join('');
            if (!data) continue;
            const { unread } = JSON.parse(data) as { unread: number };
            const count = document.querySelector<HTMLElement>('[data-testid=unread-count]');
            if (count) show(count, unread);
          }
        }
      } catch {
        /* dropped: reconnect after a pause */
      }
      await new Promise((r) => setTimeout(r, delay));
    }
    if (stream?.abort === abort) stream = null;
  })();
}

const TOPICS = [
  'round_opened',
  'version_circulated',
  'position_recorded',
  'objection',
  'round_settled',
  'review_requested',
  'stage_reached',
  'procedure_opened',
  'deadline_extended',
  'withdrawn',
  'correction_proposed',
  'correction_recorded',
  'reminder',
  'escalation',
  'info',
] as const;
type Topic = (typeof TOPICS)[number];

export async function notificationsPage(view: HTMLElement): Promise<void> {
  const filter: { unread: boolean; topic: Topic | '' } = { unread: false, topic: '' };
  const list = () =>
    get('/notifications', {
      query: {
        pageSize: 100,
        ...(filter.unread ? { unread: 'true' as const } : {}),
        ...(filter.topic ? { topic: filter.topic } : {}),
      },
    });
  const box = h(
    'section',
    { class: 'card' },
    listView(await list(), () => void redraw()),
  );
  const redraw = async () => {
    const fresh = await list();
    clear(box).appendChild(listView(fresh, () => void redraw()));
    updateBadge();
  };
  const markAll = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'data-testid': 'read-all',
      onclick: () => post('/notifications/read-all').then(redraw),
    },
    t('markAllRead'),
  );
  const unread = h('input', {
    type: 'checkbox',
    'data-testid': 'filter-unread',
    onchange: (e) => {
      filter.unread = (e.target as HTMLInputElement).checked;
      void redraw();
    },
  });
  const topic = h(
    'select',
    {
      'data-testid': 'filter-topic',
      'aria-label': t('allTopics'),
      onchange: (e) => {
        const v = (e.target as HTMLSelectElement).value;
        filter.topic = TOPICS.find((x) => x === v) ?? '';
        void redraw();
      },
    },
    [h('option', { value: '' }, t('allTopics')), ...TOPICS.map((x) => h('option', { value: x }, t(`topic_${x}`)))],
  );
  view.append(
    h('h1', {}, t('notifications')),
    h('div', { class: 'filters' }, h('label', {}, unread, ' ', t('unreadOnly')), ' ', topic, ' ', markAll),
    box,
  );
}

/** The list; `read()` runs after one was marked read. */
function listView(l: NotificationList, read: () => void): HTMLElement {
  if (!l.items.length) return h('p', { class: 'muted', 'data-testid': 'notifications-empty' }, t('none'));
  return h(
    'ul',
    { class: 'notifications', 'data-testid': 'notifications' },
    l.items.map((n) =>
      h(
        'li',
        { class: n.readAt ? 'read' : 'unread', 'data-id': n.id, 'data-kind': n.kind, 'data-topic': n.topic },
        h('span', { class: `badge kind-${n.kind}` }, t(`topic_${n.topic}`)),
        ' ',
        h('span', { class: 'text', 'data-testid': 'notification-subject' }, n.subject),
        ' ',
        h('span', { class: 'muted' }, fmtDate(n.createdAt)),
        ' ',
        n.mail ? mailView(n.mail) : null,
        ' ',
        n.instanceId ? h('a', { href: `#/procedure/${n.instanceId}` }, t('open')) : null,
        ' ',
        n.readAt
          ? null
          : h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                'data-testid': 'mark-read',
                onclick: () => post('/notifications/{id}/read', { path: { id: n.id } }).then(read),
              },
              t('markRead'),
            ),
      ),
    ),
  );
}

/** How the mail of a notification went, with the server's answer on hover (refusals in full). */
function mailView(m: NonNullable<NotificationList['items'][number]['mail']>): HTMLElement {
  const said = m.error ?? m.response ?? '';
  return h(
    'span',
    {
      class: m.status === 'refused' || m.status === 'failed' ? 'badge kind-escalation' : 'muted',
      'data-testid': 'mail-status',
      'data-status': m.status,
      title: said,
    },
    `${t(`mail_${m.status}`)}${m.status === 'refused' || m.status === 'failed' ? `: ${said}` : ''}`,
  );
}
