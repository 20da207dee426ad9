import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import { DomainException, ErrorCode, ErrorReason } from '../common/domain.exception';
import { isUuid } from '../common/ids';
import {
  buildKeyStatement,
  keyStates,
  parseEd25519PublicKey,
  statementHash,
  verifySignedStatement,
  type KeyAction,
  type KeyActState,
  type KeyStatement,
  type PublicSigningKey,
  type SigningKeyState,
  type StatementSignature,
  type StoredSignature,
} from '../evidence/signed-statement';
import { CLOCK, type Clock } from '../infra/clock';
import { REDIS, REDIS_PREFIX, redisKey } from '../infra/redis.module';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { execute, queryOne, queryRows } from '../infra/sql';

/** How far a signed `at` may lie from the service's clock (the time to read and sign). */
export const SIGNATURE_WINDOW_MS = 15 * 60_000;
const REGISTRATION_TTL_S = 300;

interface RecordRow {
  id: string;
  seq: string;
  key_id: string;
  user_id: string;
  action: KeyAction | 'confirm';
  key: PublicSigningKey;
  label: string | null;
  replaces: string | null;
  reason: string | null;
  by_id: string;
  by_role: string;
  at: Date;
  statement: KeyStatement;
  endorsement: StoredSignature | null;
  confirms: string | null;
}

export type KeyAct = KeyActState;
export type SigningKeyView = SigningKeyState;

/**
 * The approvers' signing keys: Ed25519 public keys (API clients) and WebAuthn credentials
 * (passkeys, in the desk). Every change is an append-only act in `signing_key_record` (who, when,
 * which key, why). An act takes effect when the approver signs its statement with a key that is
 * active, or when two different administrators have confirmed it (four-eyes; an administrator who
 * asked for it counts as one). A key's state is read from the acts, never stored.
 */
@Injectable()
export class SigningKeysService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_PREFIX) private readonly prefix: string,
  ) {}

  // -- reading ------------------------------------------------------------------------------------

  private async records(userId: string): Promise<RecordRow[]> {
    return queryRows<RecordRow>(this.ds, `SELECT * FROM signing_key_record WHERE user_id = $1 ORDER BY seq`, [userId]);
  }

  /** The acts and keys of a user, with the state of each, computed from the records in order (`keyStates`). */
  async state(userId: string): Promise<{ keys: SigningKeyView[]; acts: KeyAct[] }> {
    const rows = await this.records(userId);
    return keyStates(
      rows.map((r) => ({
        id: r.id,
        keyId: r.key_id,
        userId: r.user_id,
        action: r.action,
        key: r.key,
        label: r.label,
        replaces: r.replaces,
        reason: r.reason,
        by: r.by_id,
        byRole: r.by_role,
        at: new Date(r.at).toISOString(),
        statement: r.statement,
        endorsement: r.endorsement,
        confirms: r.confirms,
      })),
    );
  }

  /** The active key of a user with this id, or a 4xx that says what to do. */
  async activeKey(userId: string, keyId: string): Promise<PublicSigningKey> {
    if (!isUuid(keyId))
      throw new DomainException(ErrorCode.INVALID_PAYLOAD, 'signature.keyId must be a key id (uuid).');
    const { keys } = await this.state(userId);
    const k = keys.find((x) => x.id === keyId);
    if (!k)
      throw new DomainException(ErrorCode.INVALID_PAYLOAD, `You have no signing key ${keyId}. Nothing was recorded.`);
    if (k.state === 'pending')
      throw new DomainException(
        ErrorCode.FORBIDDEN,
        `Signing key ${keyId} is not confirmed yet: two administrators must confirm it (or sign its registration with a key you already have). Nothing was recorded.`,
      );
    if (k.state === 'revoked')
      throw new DomainException(
        ErrorCode.FORBIDDEN,
        `Signing key ${keyId} was revoked (${k.revocationReason ?? 'no reason given'}); sign with an active key. Nothing was recorded.`,
      );
    return k.key;
  }

  /** The WebAuthn credentials a user may sign with now (for `allowCredentials`). */
  async activeCredentials(userId: string): Promise<{ keyId: string; credentialId: string }[]> {
    const { keys } = await this.state(userId);
    return keys
      .filter((k) => k.state === 'active' && k.key.type === 'webauthn')
      .map((k) => ({ keyId: k.id, credentialId: k.key.type === 'webauthn' ? k.key.credentialId : '' }));
  }

  /** A signed time must be recent: not in the future, not older than the window. */
  checkSignedAt(at: string): Date {
    const t = new Date(at);
    if (Number.isNaN(t.getTime()) || new Date(t.toISOString()).toISOString() !== at)
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        'signature.at must be the statement time exactly as the service gave it (ISO 8601, e.g. 2026-03-01T10:00:00.000Z).',
      );
    const now = this.clock.now().getTime();
    if (t.getTime() > now + 60_000 || now - t.getTime() > SIGNATURE_WINDOW_MS)
      throw new DomainException(
        ErrorCode.CONFLICT,
        `The statement was made at ${at}; a statement must be signed within ${SIGNATURE_WINDOW_MS / 60_000} minutes. Ask for a new statement and sign it. Nothing was recorded.`,
        { reason: ErrorReason.STALE_VERSION },
      );
    return t;
  }

  // -- acts ---------------------------------------------------------------------------------------

  private async insert(row: {
    keyId: string;
    userId: string;
    action: KeyAction | 'confirm';
    key: PublicSigningKey;
    label?: string | null;
    replaces?: string | null;
    reason?: string | null;
    by: Actor;
    at: Date;
    statement: KeyStatement;
    endorsement?: StoredSignature | null;
    confirms?: string | null;
  }): Promise<string> {
    const id = randomUUID();
    await execute(
      this.ds,
      `INSERT INTO signing_key_record (id, key_id, user_id, action, key, label, replaces, reason, by_id, by_role, at, statement, endorsement, confirms)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
      [
        id,
        row.keyId,
        row.userId,
        row.action,
        JSON.stringify(row.key),
        row.label ?? null,
        row.replaces ?? null,
        row.reason ?? null,
        row.by.id,
        row.by.role,
        row.at,
        JSON.stringify(row.statement),
        row.endorsement ? JSON.stringify(row.endorsement) : null,
        row.confirms ?? null,
      ],
    );
    return id;
  }

  private async approver(userId: string) {
    const u = await queryOne<{ id: string; email: string; display_name: string; role: string; active: boolean }>(
      this.ds,
      `SELECT id, email, display_name, role, active FROM app_user WHERE id = $1`,
      [userId],
    );
    if (!u || !u.active) throw new DomainException(ErrorCode.NOT_FOUND, `There is no active user ${userId}.`);
    if (u.role !== 'approver')
      throw new DomainException(ErrorCode.INVALID_PAYLOAD, 'Signing keys are for member-state approvers only.');
    return u;
  }

  /** An approver registers an Ed25519 public key (API clients); a rotation names the key it replaces. */
  async registerEd25519(actor: Actor, input: { publicKey: string; label?: string; replaces?: string }) {
    await this.approver(actor.id);
    const parsed = parseEd25519PublicKey(input.publicKey);
    if ('error' in parsed)
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        `publicKey: ${parsed.error}. Send the PEM (SPKI) text or the 32 raw bytes in base64.`,
      );
    const keyId = randomUUID();
    const key: PublicSigningKey = { type: 'ed25519', id: keyId, publicKey: parsed.publicKey };
    return this.registerKey(actor, key, input.label, input.replaces);
  }

  private async registerKey(
    actor: Actor,
    key: PublicSigningKey,
    label: string | undefined,
    replaces: string | undefined,
  ) {
    const { keys } = await this.state(actor.id);
    if (keys.some((k) => k.state !== 'revoked' && k.key.publicKey === key.publicKey))
      throw new DomainException(ErrorCode.CONFLICT, 'This key is already registered.');
    if (replaces !== undefined) {
      const old = keys.find((k) => k.id === replaces);
      if (!old || old.state !== 'active')
        throw new DomainException(ErrorCode.INVALID_PAYLOAD, `replaces: ${replaces} is not an active key of yours.`);
    }
    const now = this.clock.now();
    const action: KeyAction = replaces ? 'rotate' : 'register';
    const statement = buildKeyStatement({ action, subject: actor.id, key, replaces, by: actor.id, at: now });
    const id = await this.insert({
      keyId: key.id,
      userId: actor.id,
      action,
      key,
      label: label?.trim() || null,
      replaces,
      by: actor,
      at: now,
      statement,
    });
    return this.actView(actor.id, id);
  }

  /** An approver or an administrator asks to revoke a key, with a reason. */
  async revoke(actor: Actor, keyId: string, reason: string) {
    if (!isUuid(keyId)) throw new DomainException(ErrorCode.NOT_FOUND, `There is no signing key ${keyId}.`);
    const owner = await queryOne<{ user_id: string }>(
      this.ds,
      `SELECT user_id FROM signing_key_record WHERE key_id = $1 LIMIT 1`,
      [keyId],
    );
    if (!owner || (actor.role !== 'admin' && owner.user_id !== actor.id))
      throw new DomainException(ErrorCode.NOT_FOUND, `There is no signing key ${keyId}.`);
    const { keys } = await this.state(owner.user_id);
    const k = keys.find((x) => x.id === keyId);
    if (!k || k.state === 'revoked') throw new DomainException(ErrorCode.CONFLICT, `Key ${keyId} is already revoked.`);
    const text = reason.trim();
    if (!text) throw new DomainException(ErrorCode.INVALID_PAYLOAD, 'reason: say why the key is revoked.');
    const now = this.clock.now();
    const statement = buildKeyStatement({
      action: 'revoke',
      subject: owner.user_id,
      key: k.key,
      reason: text,
      by: actor.id,
      at: now,
    });
    const id = await this.insert({
      keyId,
      userId: owner.user_id,
      action: 'revoke',
      key: k.key,
      reason: text,
      by: actor,
      at: now,
      statement,
    });
    return this.actView(owner.user_id, id);
  }

  private async actRow(actId: string): Promise<RecordRow> {
    if (!isUuid(actId)) throw new DomainException(ErrorCode.NOT_FOUND, `There is no key record ${actId}.`);
    const row = await queryOne<RecordRow>(this.ds, `SELECT * FROM signing_key_record WHERE id = $1`, [actId]);
    if (!row || row.action === 'confirm')
      throw new DomainException(ErrorCode.NOT_FOUND, `There is no key record ${actId}.`);
    return row;
  }

  private async actView(userId: string, actId: string) {
    const { keys, acts } = await this.state(userId);
    const act = acts.find((a) => a.id === actId) as KeyAct;
    return { act, key: keys.find((k) => k.id === act.keyId) ?? null };
  }

  /** An administrator confirms an act; the second administrator's confirmation puts it in effect. */
  async confirm(actor: Actor, actId: string) {
    const row = await this.actRow(actId);
    const before = await this.actView(row.user_id, actId);
    if (before.act.effective) throw new DomainException(ErrorCode.CONFLICT, 'This act is already in effect.');
    if (row.by_id === actor.id || before.act.confirmedBy.includes(actor.id))
      throw new DomainException(
        ErrorCode.FORBIDDEN,
        'Four-eyes: a second administrator must confirm this act; you asked for it or confirmed it already.',
      );
    if (row.user_id === actor.id)
      throw new DomainException(ErrorCode.FORBIDDEN, 'An administrator does not confirm acts on their own keys.');
    await this.insert({
      keyId: row.key_id,
      userId: row.user_id,
      action: 'confirm',
      key: row.key,
      by: actor,
      at: this.clock.now(),
      statement: row.statement,
      confirms: row.id,
    });
    return this.actView(row.user_id, actId);
  }

  /** The approver signs an act's statement with a key that is active: the act takes effect. */
  async endorse(actor: Actor, actId: string, input: { keyId: string; signature: StatementSignature }) {
    const row = await this.actRow(actId);
    if (row.user_id !== actor.id) throw new DomainException(ErrorCode.NOT_FOUND, `There is no key record ${actId}.`);
    const before = await this.actView(row.user_id, actId);
    if (before.act.effective) throw new DomainException(ErrorCode.CONFLICT, 'This act is already in effect.');
    if (input.keyId === row.key_id && row.action !== 'revoke')
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        'A new key cannot vouch for itself: sign with a key you already have.',
      );
    const key = await this.activeKey(actor.id, input.keyId);
    const check = await verifySignedStatement({ statement: row.statement, signature: input.signature, key });
    if (!check.valid)
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        `The signature does not verify: ${check.reason ?? 'invalid'}. Nothing was recorded.`,
      );
    await this.insert({
      keyId: row.key_id,
      userId: row.user_id,
      action: 'confirm',
      key: row.key,
      by: actor,
      at: this.clock.now(),
      statement: row.statement,
      endorsement: {
        statement: row.statement,
        statementHash: statementHash(row.statement),
        signature: input.signature,
        key,
      },
      confirms: row.id,
    });
    return this.actView(row.user_id, actId);
  }

  /** Acts waiting for confirmation, across approvers (administrators' list). */
  async pending() {
    const users = await queryRows<{ user_id: string }>(
      this.ds,
      `SELECT DISTINCT user_id FROM signing_key_record WHERE action <> 'confirm'`,
    );
    const out: KeyAct[] = [];
    for (const u of users) out.push(...(await this.state(u.user_id)).acts.filter((a) => !a.effective));
    return out.sort((a, b) => a.at.localeCompare(b.at));
  }

  // -- WebAuthn registration ----------------------------------------------------------------------

  /** The relying party: the host of PUBLIC_URL, or (without it, outside production) localhost and the request's origin. */
  relyingParty(origin: string | undefined): { rpId: string; origin: string } {
    const pub = this.runtime.env.PUBLIC_URL;
    if (pub) {
      const u = new URL(pub);
      return { rpId: u.hostname, origin: u.origin };
    }
    let o: URL | null;
    try {
      o = origin ? new URL(origin) : null;
    } catch {
      o = null;
    }
    if (!o || o.hostname !== 'localhost' || this.runtime.env.NODE_ENV === 'production')
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        'Passkeys need the desk to be opened at its public address (PUBLIC_URL) or, in development, at http://localhost.',
      );
    return { rpId: 'localhost', origin: o.origin };
  }

  async passkeyOptions(actor: Actor, origin: string | undefined) {
    const user = await this.approver(actor.id);
    const rp = this.relyingParty(origin);
    const { keys } = await this.state(actor.id);
    const options = await generateRegistrationOptions({
      rpName: 'amendflow',
      rpID: rp.rpId,
      userName: user.email,
      userDisplayName: user.display_name,
      userID: Buffer.from(user.id.replace(/-/g, ''), 'hex'),
      attestationType: 'none',
      excludeCredentials: keys
        .filter((k) => k.state !== 'revoked' && k.key.type === 'webauthn')
        .map((k) => ({ id: k.key.type === 'webauthn' ? k.key.credentialId : '' })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
    });
    await this.redis.set(
      redisKey(this.prefix, 'webauthn-registration', actor.id),
      options.challenge,
      'EX',
      REGISTRATION_TTL_S,
    );
    return options;
  }

  async registerPasskey(
    actor: Actor,
    origin: string | undefined,
    input: { response: RegistrationResponseJSON; label?: string },
  ) {
    await this.approver(actor.id);
    const rp = this.relyingParty(origin);
    const challengeKey = redisKey(this.prefix, 'webauthn-registration', actor.id);
    const challenge = await this.redis.getdel(challengeKey);
    if (!challenge)
      throw new DomainException(
        ErrorCode.CONFLICT,
        'The passkey registration expired or was already used; start it again.',
      );
    let info;
    try {
      const result = await verifyRegistrationResponse({
        response: input.response,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.rpId,
        requireUserVerification: true,
      });
      if (!result.verified) throw new Error('not verified');
      info = result.registrationInfo;
    } catch (error) {
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        `The passkey could not be registered: ${(error as Error).message}. Nothing was recorded.`,
      );
    }
    const key: PublicSigningKey = {
      type: 'webauthn',
      id: randomUUID(),
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      rpId: rp.rpId,
      origins: [rp.origin],
    };
    return this.registerKey(actor, key, input.label, undefined);
  }
}
