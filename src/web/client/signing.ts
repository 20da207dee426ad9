// Signed answers in the desk: the statement the service gives for an answer, shown in plain words
// in the reader's language, and signed with the approver's passkey (one browser prompt).
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { post } from './api/client';
import { h } from './dom';
import { t, tf } from './i18n';

/** The statement of an answer (POST /approvals/{id}/statement), as src/evidence/signed-statement.ts builds it. */
export interface AnswerStatement {
  procedure: string;
  definition: { id: string; version: number };
  question: 'position' | 'comments';
  round: number;
  draft: { version: number; sha256: string };
  memberState: string;
  signer: string;
  actingFor: string | null;
  kind: string;
  text: string | null;
  at: string;
}

/** The statement of a member state's comment on a draft version (POST .../comments/statement). */
export interface CommentStatement {
  procedure: string;
  draft: { version: number; sha256: string };
  article: string | null;
  memberState: string;
  signer: string;
  actingFor: string | null;
  text: string;
  at: string;
}

export interface StatementReply<S extends { at: string } = AnswerStatement> {
  statement: S;
  canonical: string;
  statementHash: string;
  challenge: string;
  passkeys: { keyId: string; credentialId: string }[];
  signing: 'required' | 'optional';
}

/** A plain object with the same own fields (what the typed client sends as an open JSON object). */
export function asRecord(x: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(x));
}

export async function statementFor(
  instanceId: string,
  body: {
    draftVersion: number;
    kind: 'agree' | 'agree_with_reservation' | 'object' | 'comments' | 'no_comments';
    text?: string;
  },
): Promise<StatementReply> {
  const reply: Record<string, unknown> = await post('/approvals/{instanceId}/statement', {
    path: { instanceId },
    body,
  });
  if (!isStatementReply<AnswerStatement>(reply)) throw new Error('The service answered without a statement to sign.');
  return reply;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStatementReply<S extends { at: string }>(
  v: Record<string, unknown>,
): v is Record<string, unknown> & StatementReply<S> {
  const s = v.statement;
  return (
    isObject(s) &&
    isObject(s.draft) &&
    typeof s.at === 'string' &&
    typeof v.challenge === 'string' &&
    Array.isArray(v.passkeys) &&
    (v.signing === 'required' || v.signing === 'optional')
  );
}

function isCreationOptions(
  v: Record<string, unknown>,
): v is Record<string, unknown> & PublicKeyCredentialCreationOptionsJSON {
  return typeof v.challenge === 'string' && isObject(v.rp) && isObject(v.user) && Array.isArray(v.pubKeyCredParams);
}

/** The statement in plain words, in the reader's language: who, for which state, what, on which exact text, when. */
export function plainStatement(s: AnswerStatement, names: { signer: string; title: string }): HTMLElement {
  const vars = {
    signer: names.signer,
    state: s.memberState,
    acting: s.actingFor ? tf('st_acting', { who: s.actingFor }) : '',
    kind: t(s.kind),
    version: s.draft.version,
    title: names.title,
    round: s.round,
    hash: s.draft.sha256,
    at: s.at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
    text: s.text ?? '',
  };
  return h(
    'div',
    { class: 'statement', 'data-testid': 'statement', 'data-hash': s.draft.sha256 },
    h('h3', {}, t('statementTitle')),
    h('p', { 'data-testid': 'statement-what' }, tf(s.question === 'position' ? 'st_position' : 'st_comments', vars)),
    s.text ? h('p', { 'data-testid': 'statement-text' }, tf('st_text', vars)) : null,
    h('p', { class: 'hash' }, tf('st_hash', vars)),
    h('p', { class: 'muted' }, tf('st_time', vars)),
  );
}

export async function commentStatementFor(
  id: string,
  n: number,
  body: { articleId?: string; text: string },
): Promise<StatementReply<CommentStatement>> {
  const reply: Record<string, unknown> = await post('/instances/{id}/draft/versions/{n}/comments/statement', {
    path: { id, n },
    body,
  });
  if (!isStatementReply<CommentStatement>(reply)) throw new Error('The service answered without a statement to sign.');
  return reply;
}

/** A comment's statement in plain words: who, for which state, on which article of which exact version, the text, when. */
export function plainCommentStatement(
  s: CommentStatement,
  names: { signer: string; article: string | null },
): HTMLElement {
  const vars = {
    signer: names.signer,
    state: s.memberState,
    acting: s.actingFor ? tf('st_acting', { who: s.actingFor }) : '',
    article: names.article ?? '',
    version: s.draft.version,
    hash: s.draft.sha256,
    at: s.at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
    text: s.text,
  };
  return h(
    'div',
    { class: 'statement', 'data-testid': 'statement', 'data-hash': s.draft.sha256 },
    h('h3', {}, t('statementTitle')),
    h('p', { 'data-testid': 'statement-what' }, tf(names.article ? 'st_comment_article' : 'st_comment_general', vars)),
    h('p', { 'data-testid': 'statement-text' }, tf('st_comment_text', vars)),
    h('p', { class: 'hash' }, tf('st_hash', vars)),
    h('p', { class: 'muted' }, tf('st_time', vars)),
  );
}

/** One browser prompt: the passkey signs the statement's hash (the WebAuthn challenge). */
export async function signWithPasskey(reply: StatementReply<{ at: string }>) {
  const response = await startAuthentication({
    optionsJSON: {
      challenge: reply.challenge,
      allowCredentials: reply.passkeys.map((p) => ({ id: p.credentialId, type: 'public-key' as const })),
      userVerification: 'required',
      timeout: 120_000,
    },
  });
  const used = reply.passkeys.find((p) => p.credentialId === response.id) ?? reply.passkeys[0];
  return { keyId: used.keyId, type: 'webauthn' as const, at: reply.statement.at, response: asRecord(response) };
}

/** Registers a passkey: the service's options, the browser's ceremony, the service's check. */
export async function registerPasskey(label: string): Promise<void> {
  const options: Record<string, unknown> = await post('/signing-keys/passkeys/options');
  if (!isCreationOptions(options)) throw new Error('The service answered without passkey options.');
  const response = await startRegistration({ optionsJSON: options });
  await post('/signing-keys/passkeys', { body: { response: asRecord(response), ...(label ? { label } : {}) } });
}

/** A hex SHA-256 as the base64url WebAuthn challenge (the same 32 bytes). */
export function hexToBase64url(hex: string): string {
  const bytes = (hex.match(/../g) ?? []).map((b) => String.fromCharCode(parseInt(b, 16))).join('');
  return btoa(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Signs an act on one's own keys (its statement hash) with an active passkey: the act takes effect. */
export async function endorseWithPasskey(
  actId: string,
  statementHash: string,
  passkeys: { keyId: string; credentialId: string }[],
): Promise<void> {
  const response = await startAuthentication({
    optionsJSON: {
      challenge: hexToBase64url(statementHash),
      allowCredentials: passkeys.map((p) => ({ id: p.credentialId, type: 'public-key' as const })),
      userVerification: 'required',
      timeout: 120_000,
    },
  });
  const used = passkeys.find((p) => p.credentialId === response.id) ?? passkeys[0];
  await post('/signing-keys/acts/{actId}/endorse', {
    path: { actId },
    body: { keyId: used.keyId, type: 'webauthn', response: asRecord(response) },
  });
}
