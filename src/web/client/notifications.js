// Notifications: the unread badge in the header and the list page.
import { get, post, session } from './api.js';
import { h, clear, fmtDate } from './dom.js';
import { t } from './i18n.js';

/** A header link to the list with the unread count; refreshes itself. */
export function notificationBadge() {
  const count = h('span', { class: 'count', 'data-testid': 'unread-count', 'data-count': '0', hidden: true }, '0');
  const link = h('a', { href: '#/notifications', 'data-testid': 'notifications-link' }, t('notifications'), ' ', count);
  refreshBadge(count);
  return link;
}

async function refreshBadge(count) {
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
export function updateBadge() {
  const count = document.querySelector('[data-testid=unread-count]');
  if (count) refreshBadge(count);
}

export async function notificationsPage(view) {
  const list = await get('/notifications?pageSize=100');
  view.appendChild(h('h1', {}, t('notifications')));
  const box = h('section', { class: 'card' });
  const redraw = async () => {
    const fresh = await get('/notifications?pageSize=100');
    clear(box).appendChild(listOf(fresh));
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
  function listOf(l) {
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
                  onclick: () => post(`/notifications/${encodeURIComponent(n.id)}/read`).then(redraw),
                },
                t('markRead'),
              ),
        ),
      ),
    );
  }
  box.appendChild(listOf(list));
  view.appendChild(h('div', {}, markAll));
  view.appendChild(box);
}
