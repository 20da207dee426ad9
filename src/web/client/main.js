// Entry point: hash routing, the header (navigation by role, language switch, sign-out).
import { post, session } from './api.js';
import { h, clear } from './dom.js';
import { t, lang, setLang, LANGS } from './i18n.js';
import { signInPage, proceduresPage, startPage, procedurePage, inboxPage, historyPage, homeOf } from './pages.js';
import { dashboardPage } from './dashboard.js';
import { notificationBadge, notificationsPage, updateBadge } from './notifications.js';

const view = document.getElementById('view');
const top = document.getElementById('top');

function go(hash, force) {
  if (location.hash === hash && force) render();
  else location.hash = hash;
}

function header() {
  clear(top);
  const user = session.user;
  const links = [];
  if (user?.role === 'legal_officer') links.push(['#/procedures', t('myProcedures')], ['#/start', t('start')]);
  if (user?.role === 'approver') links.push(['#/inbox', t('inbox')], ['#/history', t('history')]);
  if (user?.role === 'manager' || user?.role === 'admin')
    links.push(['#/dashboard', t('dashboard')], ['#/procedures', t('allProcedures')]);
  const select = h(
    'select',
    {
      'aria-label': t('language'),
      'data-testid': 'lang',
      onchange: (e) => {
        setLang(e.target.value);
        render();
      },
    },
    LANGS.map((l) => h('option', { value: l, selected: l === lang() }, l)),
  );
  top.append(
    h('span', { class: 'brand' }, 'amendflow'),
    ...links.map(([href, text]) => h('a', { href }, text)),
    h('span', { class: 'spacer' }),
    user ? notificationBadge() : null,
    user
      ? h(
          'span',
          { 'data-testid': 'who' },
          `${user.displayName} (${user.role}${user.memberState ? `, ${user.memberState}` : ''})`,
        )
      : null,
    select,
    user ? h('button', { class: 'secondary', onclick: signOut }, t('signOut')) : null,
  );
}

async function signOut() {
  try {
    await post('/auth/sign-out');
  } catch {
    /* the token may have expired already */
  }
  session.clear();
  go('#/sign-in');
}

let rendering = 0;
async function render() {
  const mine = ++rendering;
  setLang(lang());
  header();
  const [, route, arg] = (location.hash || '').split('/');
  const page = h('div', { 'data-page': route || 'home' });
  clear(view).appendChild(page);
  try {
    if (!session.token && route !== 'sign-in') return go('#/sign-in');
    switch (route) {
      case 'sign-in':
        await signInPage(page, go);
        break;
      case 'procedures':
        await proceduresPage(page, go, arg);
        break;
      case 'start':
        await startPage(page, go);
        break;
      case 'procedure':
        await procedurePage(page, go, decodeURIComponent(arg || ''));
        break;
      case 'inbox':
        await inboxPage(page, go);
        break;
      case 'history':
        await historyPage(page, go);
        break;
      case 'dashboard':
        await dashboardPage(page, go);
        break;
      case 'notifications':
        await notificationsPage(page, go);
        break;
      default:
        return go(homeOf(session.user));
    }
    if (mine === rendering) page.setAttribute('data-ready', 'true');
  } catch (err) {
    page.appendChild(
      h('p', { class: 'error', 'data-testid': 'error' }, err && err.message ? err.message : String(err)),
    );
    page.setAttribute('data-ready', 'true');
  }
}

window.addEventListener('hashchange', render);
setInterval(updateBadge, 60_000);
render();
