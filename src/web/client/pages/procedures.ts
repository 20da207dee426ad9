// The list of procedures: an officer's own (#/procedures) or every active one (#/procedures/all).
import { get, session, type SessionUser } from '../api/client';
import type { DefinitionView, InstanceListItem } from '../api/views';
import { definitions, definitionTitle } from '../definitions';
import { h, fmtDate, table } from '../dom';
import { t, label } from '../i18n';
import { card, dueCell, none, procLink } from '../ui';

/** Officers see their own procedures, or every active one (e.g. to review a colleague's draft). */
export async function proceduresPage(view: HTMLElement, scope?: string): Promise<void> {
  const user = session.user;
  if (!user) return;
  const own = user.role === 'legal_officer' && scope !== 'all';
  const [defs, list] = await Promise.all([
    definitions(),
    get('/instances', { query: { status: 'active', pageSize: 200, ...(own ? { startedBy: 'me' } : {}) } }),
  ]);
  view.append(
    h('h1', {}, own ? t('myProcedures') : t('allProcedures')),
    card(null, links(user, own), list.items.length ? proceduresTable(defs, list.items) : none()),
  );
}

function links(user: SessionUser, own: boolean): HTMLElement {
  const other =
    user.role !== 'legal_officer'
      ? null
      : own
        ? h('a', { href: '#/procedures/all', 'data-testid': 'all-link' }, t('allActive'))
        : h('a', { href: '#/procedures', 'data-testid': 'mine-link' }, t('myProcedures'));
  return h('p', {}, h('a', { href: '#/start', 'data-testid': 'start-link' }, t('start')), other ? ' · ' : null, other);
}

function proceduresTable(defs: DefinitionView[], items: InstanceListItem[]): HTMLElement {
  return table(
    [t('procedure'), t('subject'), t('stage'), t('nextDeadline'), t('updated')],
    items.map((i) =>
      h(
        'tr',
        { 'data-id': i.id },
        h('td', {}, procLink(i.id, definitionTitle(defs, i.definitionId, i.measure ?? ''))),
        h('td', {}, i.subject ?? ''),
        h('td', { 'data-testid': 'stage' }, label(i.stateLabel, i.state)),
        h('td', {}, dueCell(i)),
        h('td', {}, fmtDate(i.updatedAt)),
      ),
    ),
    { 'data-testid': 'procedures' },
  );
}
