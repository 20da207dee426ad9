import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { CLOCK, type Clock } from '../infra/clock';
import { AccessTokenService } from './access-token.service';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings';
import { AuditService } from './audit.service';
import { hashPassword, verifyPassword } from './password-hasher';
import { PasswordPolicy } from './password-policy';

export interface IssuedPasswordReset {
  /** The link to hand to the user (absolute when PUBLIC_URL is set). Shown once; only its hash is stored. */
  resetUrl: string;
  /** The token inside the link, for clients that post it themselves. */
  token: string;
  expiresAt: Date;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export const INVALID_RESET_MESSAGE =
  'This reset link is not valid, was already used or has expired; ask an administrator for a new one';

/**
 * Password change by the user, and one-time reset links issued by an administrator. Every new
 * password passes the {@link PasswordPolicy}; every change revokes the user's tokens (the
 * current one excepted on a change, so the user stays signed in) and is audited.
 */
@Injectable()
export class PasswordsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: AccessTokenService,
    private readonly audit: AuditService,
    private readonly policy: PasswordPolicy,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async change(
    actor: Actor,
    currentTokenId: string | undefined,
    currentPassword: string,
    newPassword: string,
    ip: string | null,
  ): Promise<void> {
    const rows = await this.dataSource.query<{ email: string; password_hash: string }[]>(
      `select email, password_hash from app_user where id = $1 and active`,
      [actor.id],
    );
    const user = rows[0];
    if (!user || !(await verifyPassword(user.password_hash, currentPassword))) {
      throw new DomainException(ErrorCode.INVALID_PAYLOAD, 'The current password is not correct', {
        field: 'currentPassword',
      });
    }
    if (currentPassword === newPassword) {
      throw new DomainException(ErrorCode.INVALID_PAYLOAD, 'The new password must differ from the current one', {
        field: 'newPassword',
      });
    }
    this.policy.check(newPassword, { email: user.email }, 'newPassword');
    const hash = await hashPassword(newPassword);
    this.tokens.holdUser(actor.id);
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`update app_user set password_hash = $2, updated_at = $3 where id = $1`, [
        actor.id,
        hash,
        this.clock.now(),
      ]);
      // (a CTE: TypeORM answers a bare UPDATE ... RETURNING with [rows, count])
      const [revoked] = await manager.query<{ n: number }[]>(
        `with r as (update auth_token set revoked_at = $3, revoked_reason = 'admin'
          where user_id = $1 and revoked_at is null and expires_at > $3 and id is distinct from $2::uuid
          returning 1) select count(*)::int as n from r`,
        [actor.id, currentTokenId ?? null, this.clock.now()],
      );
      await this.audit.record(
        {
          action: 'password_changed',
          actorId: actor.id,
          subject: `user:${actor.id}`,
          details: { otherTokensRevoked: revoked?.n ?? 0 },
          ip,
        },
        manager,
      );
    });
  }

  /** Issues a one-time reset link for the user; earlier unused links of the user stop working. */
  async issueReset(userId: string, actor: Actor, ip: string | null): Promise<IssuedPasswordReset> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.settings.passwordResetTtlSeconds * 1000);
    await this.dataSource.transaction(async (manager) => {
      const users = await manager.query<{ id: string }[]>(`select id from app_user where id = $1 for update`, [userId]);
      if (users.length === 0)
        throw new DomainException(ErrorCode.NOT_FOUND, `User ${userId} does not exist`, { id: userId });
      await manager.query(`update password_reset set used_at = $2 where user_id = $1 and used_at is null`, [
        userId,
        now,
      ]);
      await manager.query(
        `insert into password_reset (user_id, token_hash, issued_by, issued_at, expires_at) values ($1, $2, $3, $4, $5)`,
        [userId, hashToken(token), actor.id, now, expiresAt],
      );
      await this.audit.record(
        {
          action: 'password_reset_issued',
          actorId: actor.id,
          subject: `user:${userId}`,
          details: { expiresAt: expiresAt.toISOString() },
          ip,
        },
        manager,
      );
    });
    const path = `/app/#/reset-password/${token}`;
    return { resetUrl: `${this.settings.publicUrl ?? ''}${path}`, token, expiresAt };
  }

  /** Sets a new password with a reset token (once); every token of the user is revoked. */
  async reset(token: string, newPassword: string, ip: string | null): Promise<void> {
    const now = this.clock.now();
    const rows = await this.dataSource.query<{ id: string; user_id: string; email: string }[]>(
      `select r.id, r.user_id, u.email from password_reset r join app_user u on u.id = r.user_id
        where r.token_hash = $1 and r.used_at is null and r.expires_at > $2 and u.active`,
      [hashToken(token), now],
    );
    const reset = rows[0];
    if (!reset) throw new DomainException(ErrorCode.INVALID_PAYLOAD, INVALID_RESET_MESSAGE, { field: 'token' });
    this.policy.check(newPassword, { email: reset.email }, 'newPassword');
    const hash = await hashPassword(newPassword);
    await this.dataSource.transaction(async (manager) => {
      const [claimed] = await manager.query<{ n: number }[]>(
        `with c as (update password_reset set used_at = $2 where id = $1 and used_at is null returning 1)
         select count(*)::int as n from c`,
        [reset.id, now],
      );
      if (!claimed?.n) {
        throw new DomainException(ErrorCode.INVALID_PAYLOAD, INVALID_RESET_MESSAGE, { field: 'token' });
      }
      await manager.query(`update app_user set password_hash = $2, updated_at = $3 where id = $1`, [
        reset.user_id,
        hash,
        now,
      ]);
      const revoked = await this.tokens.revokeAllFor(reset.user_id, 'admin', manager);
      await this.audit.record(
        {
          action: 'password_reset',
          actorId: null,
          subject: `user:${reset.user_id}`,
          details: { tokensRevoked: revoked },
          ip,
        },
        manager,
      );
    });
  }
}
