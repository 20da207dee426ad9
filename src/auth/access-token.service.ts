import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { CLOCK, type Clock } from '../infra/clock';
import { queryOne } from '../infra/sql';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings';
import { AuthTokenEntity } from './auth-token.entity';
import { TokenCheckCache, type TokenAccess } from './token-check-cache';
import type { UserRole } from '../common/roles';

/** Claims of an access token. `role` and `ms` are informative for clients; the server reads the user record. */
export interface AccessTokenClaims {
  sub: string;
  jti: string;
  role: UserRole;
  ms: string | null;
  iat: number;
  exp: number;
  iss?: string;
  aud?: string | string[];
}

export interface IssuedAccessToken {
  accessToken: string;
  /** Seconds until it expires. */
  expiresIn: number;
  expiresAt: Date;
  tokenId: string;
}

export interface AuthenticatedCaller {
  actor: Actor;
  tokenId: string;
}

export type TokenRevocationReason = 'sign_out' | 'admin' | 'role_changed' | 'user_deactivated';

/** Expired token rows are kept this long (then pruned when the user signs in again). */
const EXPIRED_TOKEN_RETENTION_MS = 24 * 60 * 60 * 1000;

const unauthenticated = (message: string) => new DomainException(ErrorCode.UNAUTHENTICATED, message);

/**
 * Short-lived JWT access tokens whose `jti` is a row of `auth_token`, so that one token
 * (sign-out) or all of a user's tokens (an admin, a deactivation, a role change) can be revoked
 * before they expire. Expiry is judged by the application clock.
 */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cache: TokenCheckCache,
  ) {}

  async issue(user: { id: string; role: UserRole; memberState: string | null }): Promise<IssuedAccessToken> {
    const now = this.clock.now();
    const iat = Math.floor(now.getTime() / 1000);
    const ttl = this.settings.accessTokenTtlSeconds;
    const claims: AccessTokenClaims = {
      sub: user.id,
      jti: randomUUID(),
      role: user.role,
      ms: user.memberState,
      iat,
      exp: iat + ttl,
    };
    const issuedAt = new Date(iat * 1000);
    const expiresAt = new Date(claims.exp * 1000);

    await this.dataSource.transaction(async (manager) => {
      await manager
        .createQueryBuilder()
        .delete()
        .from(AuthTokenEntity)
        .where('user_id = :userId and expires_at < :cutoff', {
          userId: user.id,
          cutoff: new Date(now.getTime() - EXPIRED_TOKEN_RETENTION_MS),
        })
        .execute();
      await manager.insert(AuthTokenEntity, {
        id: claims.jti,
        userId: user.id,
        issuedAt,
        expiresAt,
        revokedAt: null,
        revokedReason: null,
      });
    });
    const accessToken = await this.jwt.signAsync(
      { ...claims },
      { issuer: this.settings.jwtIssuer, audience: this.settings.jwtAudience },
    );
    return { accessToken, expiresIn: ttl, expiresAt, tokenId: claims.jti };
  }

  /** Checks an `Authorization` header value; throws UNAUTHENTICATED with a message that says what to do. */
  async authenticate(authorization: string | undefined): Promise<AuthenticatedCaller> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw unauthenticated('Sign in first');
    const now = this.clock.now();

    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(match[1], {
        algorithms: ['HS256'],
        issuer: this.settings.jwtIssuer,
        audience: this.settings.jwtAudience,
        clockTimestamp: Math.floor(now.getTime() / 1000),
      });
    } catch (err) {
      if ((err as Error).name === 'TokenExpiredError') throw unauthenticated('Your session has expired; sign in again');
      throw unauthenticated('This token is not valid; sign in again');
    }
    if (typeof claims.sub !== 'string' || typeof claims.jti !== 'string') {
      throw unauthenticated('This token is not valid; sign in again');
    }

    const access = this.cache.get(claims.jti, claims.sub) ?? (await this.readAccess(claims.jti, claims.sub));
    return {
      actor: { id: claims.sub, role: access.role, memberState: access.memberState, actingFor: null },
      tokenId: claims.jti,
    };
  }

  /** The token check against the database (the cache had no usable answer); a valid answer is cached. */
  private async readAccess(tokenId: string, userId: string): Promise<TokenAccess> {
    const ticket = this.cache.ticket();
    const row = await queryOne<{
      revoked_at: Date | null;
      role: UserRole;
      member_state: string | null;
      active: boolean;
    }>(
      this.dataSource,
      `select t.revoked_at, u.role, u.member_state, u.active
         from auth_token t join app_user u on u.id = t.user_id
        where t.id = $1 and t.user_id = $2`,
      [tokenId, userId],
    );
    if (!row) throw unauthenticated('This token is not valid; sign in again');
    if (row.revoked_at) throw unauthenticated('This token has been revoked');
    if (!row.active) throw unauthenticated('This account has been deactivated');
    const access: TokenAccess = { userId, role: row.role, memberState: row.member_state };
    this.cache.put(ticket, tokenId, access);
    return access;
  }

  /** Revokes one token; false when it was already revoked. */
  async revoke(
    tokenId: string,
    reason: TokenRevocationReason,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<boolean> {
    this.cache.holdToken(tokenId);
    const result = await manager
      .createQueryBuilder()
      .update(AuthTokenEntity)
      .set({ revokedAt: this.clock.now(), revokedReason: reason })
      .where('id = :tokenId and revoked_at is null', { tokenId })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /**
   * Keeps the user's token checks away from this process's cache for a while: call it when the
   * user's access changes by a statement written here by hand (other processes hear of it from the
   * database's notice on commit).
   */
  holdUser(userId: string): void {
    this.cache.holdUser(userId);
  }

  /** Revokes every token of the user that has not expired yet; returns how many. */
  async revokeAllFor(
    userId: string,
    reason: TokenRevocationReason,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<number> {
    this.cache.holdUser(userId);
    const now = this.clock.now();
    const result = await manager
      .createQueryBuilder()
      .update(AuthTokenEntity)
      .set({ revokedAt: now, revokedReason: reason })
      .where('user_id = :userId and revoked_at is null and expires_at > :now', { userId, now })
      .execute();
    return result.affected ?? 0;
  }
}
