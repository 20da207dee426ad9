// Signing keys: an approver's passkeys and API keys (register a passkey, revoke a key), and the
// administrators' list of key changes waiting for their confirmation (four-eyes).
import { get, post, session } from '../api/client';
import { fmtDate, h, table } from '../dom';
import { t } from '../i18n';
import { endorseWithPasskey, registerPasskey } from '../signing';
import { actionForm, card, type Go } from '../ui';

interface KeyView {
  id: string;
  type: 'ed25519' | 'webauthn';
  label: string | null;
  fingerprint: string;
  state: 'pending' | 'active' | 'revoked';
  registeredAt: string;
  revokedAt: string | null;
  revocationReason: string | null;
  /** The public key; for a passkey, the credential the browser signs with. */
  key: { type: string; credentialId?: string };
}

interface ActView {
  id: string;
  keyId: string;
  statementHash: string;
  action: 'register' | 'rotate' | 'revoke';
  by: string;
  at: string;
  reason: string | null;
  effective: boolean;
  confirmedBy: string[];
  statement: { subject: string; key: { type: string } };
}

function isList<T>(v: unknown, probe: (x: Record<string, unknown>) => boolean): v is T[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && probe(x as Record<string, unknown>));
}

const isKey = (x: Record<string, unknown>) => typeof x.id === 'string' && typeof x.state === 'string';
const isAct = (x: Record<string, unknown>) => typeof x.id === 'string' && typeof x.action === 'string';

export async function keysPage(view: HTMLElement, go: Go): Promise<void> {
  view.appendChild(h('h1', {}, t('keys')));
  if (session.user?.role === 'admin') return pendingActs(view, go);
  const mine: Record<string, unknown> = await get('/signing-keys/mine');
  const keys = isList<KeyView>(mine.keys, isKey) ? mine.keys : [];
  const acts = isList<ActView>(mine.acts, isAct) ? mine.acts : [];
  const activePasskeys = (except: string) =>
    keys
      .filter((k) => k.state === 'active' && k.id !== except && k.key.credentialId)
      .map((k) => ({ keyId: k.id, credentialId: k.key.credentialId ?? '' }));
  /** A pending act on my keys that a passkey I already have can put in effect (one prompt). */
  const endorseButton = (k: KeyView): HTMLElement | null => {
    const act = acts.find((a) => a.keyId === k.id && !a.effective && a.action !== 'revoke');
    const passkeys = activePasskeys(k.id);
    if (!act || !passkeys.length) return null;
    return actionForm(
      { 'data-testid': 'endorse-act' },
      async () => {
        await endorseWithPasskey(act.id, act.statementHash, passkeys);
        go('#/keys', true);
      },
      h('button', { type: 'submit' }, t('endorseWithPasskey')),
    );
  };
  const label = h('input', { name: 'label', class: 'wide', placeholder: t('passkeyLabel') });
  view.append(
    card(
      null,
      h('p', {}, t('keysIntro')),
      actionForm(
        { 'data-testid': 'register-passkey' },
        async () => {
          await registerPasskey(label.value.trim());
          go('#/keys', true);
        },
        h('label', {}, t('passkeyLabel')),
        label,
        h('div', {}, h('button', { type: 'submit' }, t('registerPasskey'))),
      ),
    ),
    card(
      null,
      keys.length
        ? table(
            [t('keyType'), t('keyLabel'), t('fingerprint'), t('keyState'), t('when'), ''],
            keys.map((k) =>
              h(
                'tr',
                { 'data-key': k.id, 'data-state': k.state },
                h('td', {}, k.type === 'webauthn' ? 'passkey' : 'Ed25519'),
                h('td', {}, k.label ?? ''),
                h('td', { class: 'hash' }, k.fingerprint.slice(0, 16)),
                h(
                  'td',
                  { 'data-testid': 'key-state' },
                  t(`key_${k.state}`),
                  k.revocationReason ? ` — ${k.revocationReason}` : '',
                ),
                h('td', {}, fmtDate(k.registeredAt)),
                h(
                  'td',
                  {},
                  k.state === 'pending' ? endorseButton(k) : null,
                  k.state === 'revoked' ? '' : revokeForm(k.id, go),
                ),
              ),
            ),
            { 'data-testid': 'my-keys' },
          )
        : h('p', { class: 'muted', 'data-testid': 'no-keys' }, t('none')),
    ),
  );
}

function revokeForm(keyId: string, go: Go): HTMLElement {
  const reason = h('input', { name: 'reason', placeholder: t('reason'), required: true });
  return actionForm(
    { 'data-testid': 'revoke-key' },
    async () => {
      await post('/signing-keys/{keyId}/revoke', { path: { keyId }, body: { reason: reason.value } });
      go('#/keys', true);
    },
    reason,
    h('button', { type: 'submit', class: 'secondary' }, t('revoke')),
  );
}

async function pendingActs(view: HTMLElement, go: Go): Promise<void> {
  const reply: unknown = await get('/signing-keys/pending');
  const acts = isList<ActView>(reply, isAct) ? reply : [];
  view.appendChild(
    card(
      t('pendingActs'),
      acts.length
        ? table(
            [t('approver'), t('event'), t('keyType'), t('reason'), t('when'), t('confirmedBy'), ''],
            acts.map((a) =>
              h(
                'tr',
                { 'data-act': a.id },
                h('td', {}, a.statement.subject),
                h('td', {}, t(`act_${a.action}`)),
                h('td', {}, a.statement.key.type === 'webauthn' ? 'passkey' : 'Ed25519'),
                h('td', { class: 'text' }, a.reason ?? ''),
                h('td', {}, fmtDate(a.at)),
                h('td', {}, a.confirmedBy.join(', ')),
                h(
                  'td',
                  {},
                  actionForm(
                    { 'data-testid': 'confirm-act' },
                    async () => {
                      await post('/signing-keys/acts/{actId}/confirm', { path: { actId: a.id } });
                      go('#/keys', true);
                    },
                    h('button', { type: 'submit' }, t('confirm')),
                  ),
                ),
              ),
            ),
            { 'data-testid': 'pending-acts' },
          )
        : h('p', { class: 'muted' }, t('none')),
    ),
  );
}
