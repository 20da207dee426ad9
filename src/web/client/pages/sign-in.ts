// Sign-in, and where each role lands afterwards.
import { get, post, session, type SessionUser } from '../api/client';
import { h } from '../dom';
import { t } from '../i18n';
import { actionForm, card, type Go } from '../ui';

export function homeOf(user: SessionUser | null): string {
  if (!user) return '#/sign-in';
  if (user.role === 'approver') return '#/inbox';
  if (user.role === 'manager' || user.role === 'admin') return '#/dashboard';
  return '#/procedures';
}

export function signInPage(view: HTMLElement, go: Go): void {
  const email = h('input', { id: 'email', type: 'email', autocomplete: 'username' });
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'current-password' });
  const signIn = async () => {
    const res = await post('/auth/sign-in', { body: { email: email.value.trim(), password: password.value } });
    session.save(res.accessToken, res.user);
    go(homeOf(res.user));
  };
  // A service started with DEMO=true says so before anyone signs in.
  const banner = h('div');
  get('/auth/config')
    .then((c) => {
      if (c.demoBanner) banner.appendChild(h('p', { class: 'error', 'data-testid': 'demo-banner' }, c.demoBanner));
    })
    .catch(() => undefined);
  view.appendChild(banner);
  view.appendChild(
    card(
      t('signIn'),
      actionForm(
        { 'data-testid': 'sign-in' },
        signIn,
        h('label', { for: 'email' }, t('email')),
        email,
        h('label', { for: 'password' }, t('password')),
        password,
        h('div', {}, h('button', { type: 'submit' }, t('signIn'))),
      ),
    ),
  );
}
