// Entry point: hash routing, the header (navigation by role, language switch, sign-out).
import { post, session } from './api/client';
import { clear, control, h } from './dom';
import { t, lang, setLang, LANGS } from './i18n';
import { dashboardPage } from './pages/dashboard';
import { historyPage } from './pages/history';
import { inboxPage } from './pages/inbox';
import { keysPage } from './pages/keys';
import { notificationBadge, notificationsPage, updateBadge } from './pages/notifications';
import { procedurePage } from './pages/procedure';
import { proceduresPage } from './pages/procedures';
import { homeOf, signInPage } from './pages/sign-in';
import { startPage } from './pages/start';
import type { Go } from './ui';

const view = document.getElementById('view') as HTMLElement;
const top = document.getElementById('top') as HTMLElement;

const go: Go = (hash, force) => {
  if (location.hash === hash && force) void render();
  else location.hash = hash;
};

/** The pages by route (`#/route/arg`). */
const PAGES = new Map<string, (page: HTMLElement, arg: string) => unknown>([
  ['sign-in', (page) => signInPage(page, go)],
  ['procedures', (page, arg) => proceduresPage(page, arg)],
  ['start', (page) => startPage(page, go)],
  ['procedure', (page, arg) => procedurePage(page, go, decodeURIComponent(arg))],
  ['inbox', (page) => inboxPage(page, go)],
  ['keys', (page) => keysPage(page, go)],
  ['history', (page) => historyPage(page)],
  ['dashboard', (page) => dashboardPage(page, go)],
  ['notifications', (page) => notificationsPage(page)],
]);

function header(): void {
  clear(top);
  const user = session.user;
  const links: [string, string][] = [];
  if (user?.role === 'legal_officer') links.push(['#/procedures', t('myProcedures')], ['#/start', t('start')]);
  if (user?.role === 'approver')
    links.push(['#/inbox', t('inbox')], ['#/history', t('history')], ['#/keys', t('keys')]);
  if (user?.role === 'manager' || user?.role === 'admin')
    links.push(['#/dashboard', t('dashboard')], ['#/procedures', t('allProcedures')]);
  if (user?.role === 'admin') links.push(['#/keys', t('keys')]);
  const select = h(
    'select',
    {
      'aria-label': t('language'),
      'data-testid': 'lang',
      onchange: (e) => {
        setLang(control(e).value);
        void render();
      },
    },
    LANGS.map((l) => h('option', { value: l, selected: l === lang() }, l)),
  );
  top.append(
    h('span', { class: 'brand' }, 'amendflow'),
    ...links.map(([href, text]) => h('a', { href }, text)),
    h('span', { class: 'spacer' }),
    user ? notificationBadge() : '',
    user
      ? h(
          'span',
          { 'data-testid': 'who' },
          `${user.displayName} (${user.role}${user.memberState ? `, ${user.memberState}` : ''})`,
        )
      : '',
    select,
    user ? h('button', { class: 'secondary', onclick: signOut }, t('signOut')) : '',
  );
}

async function signOut(): Promise<void> {
  try {
    await post('/auth/sign-out');
  } catch {
    /* the token may have expired already */
  }
  session.clear();
  go('#/sign-in');
}

let rendering = 0;
async function render(): Promise<void> {
  const mine = ++rendering;
  setLang(lang());
  header();
  const [, route, arg] = (location.hash || '').split('/');
  const page = h('div', { 'data-page': route || 'home' });
  clear(view).appendChild(page);
  try {
    if (!session.token && route !== 'sign-in') return go('#/sign-in');
    const draw = route ? PAGES.get(route) : undefined;
    if (!draw) return go(homeOf(session.user));
    await draw(page, arg ?? '');
    if (mine === rendering) page.setAttribute('data-ready', 'true');
  } catch (err) {
    page.appendChild(
      h('p', { class: 'error', 'data-testid': 'error' }, err instanceof Error ? err.message : String(err)),
    );
    page.setAttribute('data-ready', 'true');
  }
}

window.addEventListener('hashchange', () => void render());
setInterval(updateBadge, 60_000);
void render();
