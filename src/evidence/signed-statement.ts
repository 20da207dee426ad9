/**
 * Signed statements: what a member-state approver signs when answering, and what an approver (or
 * administrators) sign when a signing key is registered, rotated or revoked.
 *
 * Pure and dependency-light on purpose (node:crypto, `canonicalize`, `@simplewebauthn/server`; no
 * Nest, no database): the service uses it before applying an answer, and the offline verifier uses
 * the same code on an evidence bundle, years later, without our server.
 *
 * - A statement is canonicalised with RFC 8785 (JSON Canonicalization Scheme): `canonicalStatement`.
 * - Its hash is the SHA-256 of the canonical UTF-8 bytes: `statementHash` (hex) and
 *   `statementChallenge` (the same 32 bytes, base64url: the WebAuthn challenge).
 * - Ed25519: the signature is over the canonical UTF-8 bytes themselves (base64url, 64 bytes).
 * - WebAuthn: an authentication (assertion) response whose challenge is `statementChallenge`; the
 *   authenticator signs authenticatorData ‖ SHA-256(clientDataJSON), and clientDataJSON carries the
 *   challenge, so the assertion covers the statement.
 *
 * Storage (see docs/evidence.md, "Signed answers"): a `StoredSignature` is kept in the
 * `signature` jsonb column of the answer's `workflow_event` row, written in the same transaction as
 * the event (and of a member state's `draft_comment` row, for a comment); key records are rows of `signing_key_record`, each carrying its own `StoredSignature`
 * or the two administrators who confirmed it.
 */
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import canonicalize from 'canonicalize';
import {
  verifyAuthenticationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';

export const ANSWER_STATEMENT_FORMAT = 'amendflow.answer-statement/1';
export const KEY_STATEMENT_FORMAT = 'amendflow.key-statement/1';
export const COMMENT_STATEMENT_FORMAT = 'amendflow.comment-statement/1';

export const STATEMENT_KINDS = ['agree', 'agree_with_reservation', 'object', 'comments', 'no_comments'] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

/** The answer a member state gives, over the exact text it concerns. */
export interface AnswerStatement {
  format: typeof ANSWER_STATEMENT_FORMAT;
  /** The procedure instance id. */
  procedure: string;
  definition: { id: string; version: number };
  /** An approval round asks for a position (event POSITION); a circulation asks for comments (RESPOND). */
  question: 'position' | 'comments';
  round: number;
  /** The draft version answered on: its number and the SHA-256 of its full content (`draftContentHash`). */
  draft: { version: number; sha256: string };
  memberState: string;
  /** The user id of the person who signs. */
  signer: string;
  /** The approver the signer stands in for (acting appointment), or null. */
  actingFor: string | null;
  kind: StatementKind;
  /** Reservation text, reason for the objection, or the comments; null when there is none. */
  text: string | null;
  /** When the statement was made (ISO 8601, UTC), by the server's clock. */
  at: string;
}

export const KEY_ACTIONS = ['register', 'rotate', 'revoke'] as const;
export type KeyAction = (typeof KEY_ACTIONS)[number];

/** A change to an approver's signing keys: registration, rotation (new key replacing one) or revocation. */
export interface KeyStatement {
  format: typeof KEY_STATEMENT_FORMAT;
  action: KeyAction;
  /** The approver whose keys these are. */
  subject: string;
  /** The key concerned (the new key for register and rotate, the revoked key for revoke). */
  key: PublicSigningKey;
  /** For a rotation: the id of the key it replaces (revoked by this record). */
  replaces: string | null;
  /** Why (required for a revocation). */
  reason: string | null;
  /** Who asked for the change (the approver, or an administrator). */
  by: string;
  at: string;
}

/** A member state's comment on a draft version (or one of its articles), made during circulation. */
export interface CommentStatement {
  format: typeof COMMENT_STATEMENT_FORMAT;
  procedure: string;
  draft: { version: number; sha256: string };
  /** The article commented on, or null for a general comment. */
  article: string | null;
  memberState: string;
  signer: string;
  actingFor: string | null;
  text: string;
  at: string;
}

export type Statement = AnswerStatement | KeyStatement | CommentStatement;

/** A public signing key as recorded: enough to verify a signature with no server. */
export type PublicSigningKey =
  | {
      type: 'ed25519';
      /** Our id of the key (stable across records). */
      id: string;
      /** The raw 32-byte Ed25519 public key, base64url. */
      publicKey: string;
    }
  | {
      type: 'webauthn';
      id: string;
      /** The credential id the authenticator returns (base64url). */
      credentialId: string;
      /** The credential public key, COSE-encoded, base64url. */
      publicKey: string;
      /** The relying party id the credential is scoped to (the desk's host name). */
      rpId: string;
      /** The origins the desk is served from (the assertion's clientDataJSON names one). */
      origins: string[];
    };

export type StatementSignature =
  | { type: 'ed25519'; /** base64url Ed25519 signature over the canonical statement's UTF-8 bytes */ value: string }
  | {
      type: 'webauthn';
      /** the browser's assertion (PublicKeyCredential.toJSON()) */ response: AuthenticationResponseJSON;
    };

/**
 * How a signed statement is stored: in `workflow_event.signature` for an answer, in
 * `signing_key_record.signature` for a key record. The key is copied in, so the row stands alone.
 */
export interface StoredSignature {
  statement: Statement;
  /** `statementHash(statement)`, hex. */
  statementHash: string;
  signature: StatementSignature;
  key: PublicSigningKey;
}

export interface VerificationResult {
  valid: boolean;
  reason?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasStrings(v: Record<string, unknown>, names: string[]): boolean {
  return names.every((n) => typeof v[n] === 'string');
}

/** The shape of a browser's assertion (PublicKeyCredential.toJSON() after navigator.credentials.get). */
export function isAuthenticationResponse(v: unknown): v is AuthenticationResponseJSON {
  return (
    isRecord(v) &&
    hasStrings(v, ['id', 'rawId', 'type']) &&
    isRecord(v.response) &&
    hasStrings(v.response, ['clientDataJSON', 'authenticatorData', 'signature']) &&
    isRecord(v.clientExtensionResults)
  );
}

/** The shape of a browser's registration response (PublicKeyCredential.toJSON() after navigator.credentials.create). */
export function isRegistrationResponse(v: unknown): v is RegistrationResponseJSON {
  return (
    isRecord(v) &&
    hasStrings(v, ['id', 'rawId', 'type']) &&
    isRecord(v.response) &&
    hasStrings(v.response, ['clientDataJSON', 'attestationObject']) &&
    isRecord(v.clientExtensionResults)
  );
}

/** RFC 8785 canonical JSON of a statement. */
export function canonicalStatement(statement: Statement): string {
  const text = canonicalize(statement);
  if (text === undefined) throw new TypeError('A statement must be a JSON object.');
  return text;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** SHA-256 of the canonical statement, hex. */
export function statementHash(statement: Statement): string {
  return sha256(canonicalStatement(statement)).toString('hex');
}

/** The same 32 bytes, base64url: the challenge of a WebAuthn assertion over the statement. */
export function statementChallenge(statement: Statement): string {
  return sha256(canonicalStatement(statement)).toString('base64url');
}

export interface AnswerStatementInput {
  procedure: string;
  definition: { id: string; version: number };
  question: 'position' | 'comments';
  round: number;
  draft: { version: number; sha256: string };
  memberState: string;
  signer: string;
  actingFor: string | null;
  kind: StatementKind;
  text?: string | null;
  at: Date | string;
}

/** Builds an answer statement (trims the text; an empty text is none). */
export function buildStatement(input: AnswerStatementInput): AnswerStatement {
  const text = typeof input.text === 'string' && input.text.trim() !== '' ? input.text.trim() : null;
  return {
    format: ANSWER_STATEMENT_FORMAT,
    procedure: input.procedure,
    definition: { id: input.definition.id, version: input.definition.version },
    question: input.question,
    round: input.round,
    draft: { version: input.draft.version, sha256: input.draft.sha256 },
    memberState: input.memberState,
    signer: input.signer,
    actingFor: input.actingFor,
    kind: input.kind,
    text,
    at: typeof input.at === 'string' ? input.at : input.at.toISOString(),
  };
}

export function buildCommentStatement(
  input: Omit<CommentStatement, 'format' | 'at'> & { at: Date | string },
): CommentStatement {
  return {
    format: COMMENT_STATEMENT_FORMAT,
    procedure: input.procedure,
    draft: { version: input.draft.version, sha256: input.draft.sha256 },
    article: input.article,
    memberState: input.memberState,
    signer: input.signer,
    actingFor: input.actingFor,
    text: input.text,
    at: typeof input.at === 'string' ? input.at : input.at.toISOString(),
  };
}

export interface KeyStatementInput {
  action: KeyAction;
  subject: string;
  key: PublicSigningKey;
  replaces?: string | null;
  reason?: string | null;
  by: string;
  at: Date | string;
}

export function buildKeyStatement(input: KeyStatementInput): KeyStatement {
  return {
    format: KEY_STATEMENT_FORMAT,
    action: input.action,
    subject: input.subject,
    key: input.key,
    replaces: input.replaces ?? null,
    reason: input.reason?.trim() || null,
    by: input.by,
    at: typeof input.at === 'string' ? input.at : input.at.toISOString(),
  };
}

/** The full content of a draft version, as hashed for a statement. */
export interface DraftVersionContent {
  /** The document's title in the three languages. */
  title: { en: string; ru: string; zh: string };
  number: number;
  /** Articles in order. */
  articles: { articleId: string; number: string; text: { ru: string; zh: string; en: string } }[];
}

/** SHA-256 (hex) of a draft version's full content: title, number, every article in every language, in order. */
export function draftContentHash(content: DraftVersionContent): string {
  const canonical = canonicalize({
    format: 'amendflow.draft-version/1',
    title: { en: content.title.en, ru: content.title.ru, zh: content.title.zh },
    number: content.number,
    articles: content.articles.map((a) => ({
      articleId: a.articleId,
      number: a.number,
      text: { ru: a.text.ru, zh: a.text.zh, en: a.text.en },
    })),
  });
  return sha256(canonical as string).toString('hex');
}

/**
 * For a procedure that keeps no draft text (treaty accession: the version is the partner's request
 * as recorded in the procedure), `draft.sha256` is this: the SHA-256 of a marker naming the
 * procedure and version number. It binds the statement to the version number only, and says so.
 */
export function noDraftTextHash(procedure: string, version: number): string {
  return sha256(canonicalize({ format: 'amendflow.no-draft-text/1', procedure, version }) as string).toString('hex');
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Reads an Ed25519 public key given as PEM (SPKI), or as the raw 32 bytes in base64 or base64url.
 * Returns the raw key, base64url, or null with a reason.
 */
export function parseEd25519PublicKey(text: string): { publicKey: string } | { error: string } {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('-----BEGIN')) {
      const key = createPublicKey({ key: trimmed, format: 'pem' });
      if (key.asymmetricKeyType !== 'ed25519')
        return { error: `the key is ${key.asymmetricKeyType ?? 'of an unknown type'}, not Ed25519` };
      const der = key.export({ format: 'der', type: 'spki' });
      return { publicKey: der.subarray(ED25519_SPKI_PREFIX.length).toString('base64url') };
    }
  } catch {
    return { error: 'the PEM text is not a readable public key' };
  }
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return { error: 'it is neither PEM nor base64' };
  const raw = Buffer.from(trimmed.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url');
  if (raw.length !== 32) return { error: `an Ed25519 public key has 32 bytes; this one has ${raw.length}` };
  try {
    ed25519KeyObject(raw.toString('base64url'));
  } catch {
    return { error: 'the bytes are not a valid Ed25519 public key' };
  }
  return { publicKey: raw.toString('base64url') };
}

function ed25519KeyObject(rawBase64url: string) {
  const raw = Buffer.from(rawBase64url, 'base64url');
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** A short fingerprint of a public key (SHA-256 of the key bytes, hex, first 16 bytes). */
export function keyFingerprint(key: PublicSigningKey): string {
  return createHash('sha256').update(Buffer.from(key.publicKey, 'base64url')).digest('hex').slice(0, 32);
}

/**
 * Verifies a signature over a statement with a public key, offline. Never throws: a malformed
 * signature or key is `{ valid: false, reason }`.
 */
export async function verifySignedStatement(input: {
  statement: Statement;
  signature: StatementSignature;
  key: PublicSigningKey;
}): Promise<VerificationResult> {
  const { statement, signature, key } = input;
  let canonical: string;
  try {
    canonical = canonicalStatement(statement);
  } catch {
    return { valid: false, reason: 'the statement is not canonical JSON' };
  }
  if (signature.type !== key.type)
    return { valid: false, reason: `a ${signature.type} signature cannot be checked with a ${key.type} key` };
  if (signature.type === 'ed25519' && key.type === 'ed25519') {
    try {
      const sig = Buffer.from(signature.value, 'base64url');
      if (sig.length !== 64) return { valid: false, reason: 'an Ed25519 signature has 64 bytes' };
      const ok = verifySignature(null, Buffer.from(canonical, 'utf8'), ed25519KeyObject(key.publicKey), sig);
      return ok
        ? { valid: true }
        : { valid: false, reason: 'the Ed25519 signature does not match the statement and key' };
    } catch {
      return { valid: false, reason: 'the Ed25519 key or signature is malformed' };
    }
  }
  if (signature.type === 'webauthn' && key.type === 'webauthn') {
    const response = signature.response;
    if (!isAuthenticationResponse(response) || response.id !== key.credentialId)
      return { valid: false, reason: 'the assertion was made with another credential' };
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: sha256(canonical).toString('base64url'),
        expectedOrigin: key.origins,
        expectedRPID: key.rpId,
        // Offline, the last counter is not known: 0 accepts any counter; the service refuses a replayed statement.
        credential: { id: key.credentialId, publicKey: Buffer.from(key.publicKey, 'base64url'), counter: 0 },
        requireUserVerification: true,
      });
      return result.verified
        ? { valid: true }
        : { valid: false, reason: 'the WebAuthn assertion does not verify with this credential' };
    } catch (error) {
      return { valid: false, reason: `the WebAuthn assertion is invalid: ${(error as Error).message}` };
    }
  }
  return { valid: false, reason: 'unknown signature type' };
}

/** Checks a stored signature whole: the stored hash matches the statement, and the signature verifies. */
export async function verifyStoredSignature(stored: StoredSignature): Promise<VerificationResult> {
  let hash: string;
  try {
    hash = statementHash(stored.statement);
  } catch {
    return { valid: false, reason: 'the statement is not canonical JSON' };
  }
  if (hash !== stored.statementHash)
    return { valid: false, reason: 'the stored statement hash does not match the statement' };
  return verifySignedStatement(stored);
}

/** The facts of a recorded answer event a statement must agree with. */
export interface AnsweredEvent {
  instanceId: string;
  definitionId: string;
  definitionVersion: number;
  type: string;
  payload: unknown;
  actorId: string;
  actorMemberState: string | null;
  actingFor: string | null;
}

/**
 * The differences between an answer statement and the event it was stored with (empty when they
 * agree): the event is the answer the engine applied, the statement is what the person signed.
 */
export function statementEventMismatches(statement: AnswerStatement, event: AnsweredEvent): string[] {
  const out: string[] = [];
  const payload = (event.payload ?? {}) as Record<string, unknown>;
  if (statement.format !== ANSWER_STATEMENT_FORMAT) out.push(`unknown statement format ${String(statement.format)}`);
  if (statement.procedure !== event.instanceId) out.push('the statement names another procedure');
  if (statement.definition.id !== event.definitionId || statement.definition.version !== event.definitionVersion)
    out.push('the statement names another definition or definition version');
  if (statement.signer !== event.actorId) out.push('the statement is signed by someone other than the actor');
  if (statement.memberState !== event.actorMemberState) out.push('the statement names another member state');
  if (statement.actingFor !== event.actingFor) out.push('the statement names another acting-for');
  if (payload.draftVersion !== statement.draft.version) out.push('the statement names another draft version');
  if (statement.question === 'position') {
    if (event.type !== 'POSITION') out.push('the statement is a position but the event is not');
    if (payload.kind !== statement.kind) out.push('the statement names another kind of position');
    if ((payload.text ?? null) !== statement.text) out.push('the statement has another text');
  } else {
    if (event.type !== 'RESPOND') out.push('the statement answers a circulation but the event does not');
    const comments = (payload.comments as string | null | undefined) ?? null;
    const kind = comments === null ? 'no_comments' : 'comments';
    if (statement.kind !== kind) out.push('the statement names another kind of answer');
    if (comments !== statement.text) out.push('the statement has other comments');
  }
  return out;
}

/** One row of `signing_key_record`, as the evidence bundle and the service read it. */
export interface KeyRecord {
  id: string;
  keyId: string;
  userId: string;
  action: KeyAction | 'confirm';
  key: PublicSigningKey;
  label: string | null;
  replaces: string | null;
  reason: string | null;
  by: string;
  byRole: string;
  at: string;
  statement: KeyStatement;
  /** A confirmation signed by the approver with a key active at that point. */
  endorsement: StoredSignature | null;
  /** For a confirmation: the act it confirms. */
  confirms: string | null;
}

/** An act on a key (register, rotate, revoke) and whether, when and how it took effect. */
export interface KeyActState {
  id: string;
  keyId: string;
  action: KeyAction;
  by: string;
  byRole: string;
  at: string;
  reason: string | null;
  replaces: string | null;
  statement: KeyStatement;
  statementHash: string;
  effective: boolean;
  effectiveAt: string | null;
  /** The key whose signature put it in effect, or null. */
  endorsedWith: string | null;
  /** The administrators who confirmed it (four-eyes: two different ones put it in effect). */
  confirmedBy: string[];
}

export interface SigningKeyState {
  id: string;
  userId: string;
  type: 'ed25519' | 'webauthn';
  label: string | null;
  fingerprint: string;
  state: 'pending' | 'active' | 'revoked';
  key: PublicSigningKey;
  registeredAt: string;
  /** When it could first sign (its registration took effect). */
  activeFrom: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  revocationReason: string | null;
}

/**
 * The keys of one approver and the acts on them, read from the key records in order: an act takes
 * effect when a confirmation carries the approver's signature with a key active at that point, or
 * when two different administrators (the one who asked counts) have confirmed it. Signatures of
 * endorsements are checked separately (`verifyStoredSignature`); this reads the order only.
 * A key signs validly at time t when `activeFrom <= t` and (`revokedAt` is null or t < `revokedAt`).
 */
export function keyStates(records: KeyRecord[]): { keys: SigningKeyState[]; acts: KeyActState[] } {
  const acts = new Map<string, KeyActState>();
  const admins = new Map<string, Set<string>>();
  const keys = new Map<string, SigningKeyState>();
  const revoke = (keyId: string, at: string, by: string, reason: string | null) => {
    const k = keys.get(keyId);
    if (!k || k.state === 'revoked') return;
    k.state = 'revoked';
    k.revokedAt = at;
    k.revokedBy = by;
    k.revocationReason = reason;
  };
  const takeEffect = (act: KeyActState, at: string, by: string) => {
    act.effective = true;
    act.effectiveAt = at;
    if (act.action === 'revoke') return revoke(act.keyId, at, act.by, act.reason);
    const k = keys.get(act.keyId);
    if (k && k.state === 'pending') {
      k.state = 'active';
      k.activeFrom = at;
    }
    if (act.action === 'rotate' && act.replaces) revoke(act.replaces, at, by, act.reason ?? 'rotated');
  };
  for (const r of records) {
    if (r.action !== 'confirm') {
      acts.set(r.id, {
        id: r.id,
        keyId: r.keyId,
        action: r.action,
        by: r.by,
        byRole: r.byRole,
        at: r.at,
        reason: r.reason,
        replaces: r.replaces,
        statement: r.statement,
        statementHash: statementHash(r.statement),
        effective: false,
        effectiveAt: null,
        endorsedWith: null,
        confirmedBy: [],
      });
      admins.set(r.id, new Set(r.byRole === 'admin' ? [r.by] : []));
      if (r.action !== 'revoke' && !keys.has(r.keyId))
        keys.set(r.keyId, {
          id: r.keyId,
          userId: r.userId,
          type: r.key.type,
          label: r.label,
          fingerprint: keyFingerprint(r.key),
          state: 'pending',
          key: r.key,
          registeredAt: r.at,
          activeFrom: null,
          revokedAt: null,
          revokedBy: null,
          revocationReason: null,
        });
      continue;
    }
    const act = r.confirms ? acts.get(r.confirms) : undefined;
    if (!act || act.effective) continue;
    if (r.endorsement) {
      const signer = keys.get(r.endorsement.key.id);
      const vouchesForItself = r.endorsement.key.id === act.keyId && act.action !== 'revoke';
      if (!signer || signer.state !== 'active' || vouchesForItself || r.endorsement.statementHash !== act.statementHash)
        continue;
      act.endorsedWith = signer.id;
      takeEffect(act, r.at, r.by);
    } else if (r.byRole === 'admin') {
      const set = admins.get(act.id) as Set<string>;
      if (set.has(r.by)) continue;
      set.add(r.by);
      act.confirmedBy.push(r.by);
      if (set.size >= 2) takeEffect(act, r.at, r.by);
    }
  }
  return { keys: [...keys.values()], acts: [...acts.values()] };
}
