// Notifications: the unread badge in the header and the list page.
import { get, post, session } from '../api/client';
import type { NotificationList } from '../api/views';
import { clear, fmtDate, h } from '../dom';
import { t } from '../i18n';

/** A header link to the list with the unread count; refreshes itself. */
export function notificationBadge(): HTMLElement {
  const count = h('span', { class: 'count', 'data-testid': 'unread-count', 'data-count': '0', hidden: true }, '0');
  const link = h('a', { href: '#/notifications', 'data-testid': 'notifications-link' }, t('notifications'), ' ', count);
  void refreshBadge(count);
  return link;
}

async function refreshBadge(count: HTMLElement): Promise<void> {
  if (!session.token) return;
  try {
    const { unread } = await get('/notifications/unread-count');
    count.textContent = String(unread);
    count.setAttribute('data-count', String(unread));
    count.hidden = unread === 0;
  } catch {
    /* the badge is a hint; the list page shows errors */
  }
}

/** Refreshes the badge now on screen, if any. */
export function updateBadge(): void {
  const count = document.querySelector<HTMLElement>('[data-testid=unread-count]');
  if (count) void refreshBadge(count);
}

const list = () => get('/notifications', { query: { pageSize: 100 } });

export async function notificationsPage(view: HTMLElement): Promise<void> {
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
  view.append(h('h1', {}, t('notifications')), h('div', {}, markAll), box);
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
        { class: n.readAt ? 'read' : 'unread', 'data-id': n.id, 'data-kind': n.kind },
        h('span', { class: `badge kind-${n.kind}` }, t(`kind_${n.kind}`)),
        ' ',
        h('span', { class: 'text', 'data-testid': 'notification-subject' }, n.subject),
        ' ',
        h('span', { class: 'muted' }, fmtDate(n.createdAt)),
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
