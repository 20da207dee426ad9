import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { CLOCK, type Clock } from '../infra/clock';
import { AccessTokenService } from './access-token.service';
import { AuditService } from './audit.service';
import { normaliseEmail } from './auth.service';
import { MemberStateDirectory } from './member-state.directory';
import { hashPassword } from './password-hasher';
import { PasswordPolicy } from './password-policy';
import type { UserRole } from '../common/roles';
import { UserEntity } from './user.entity';

export interface NewUser {
  email: string;
  displayName: string;
  password: string;
  role: UserRole;
  memberState?: string | null;
}

export interface UserChanges {
  displayName?: string;
  role?: UserRole;
  /** `null` clears it (only valid for a role other than approver). */
  memberState?: string | null;
  active?: boolean;
}

export interface UserFilter {
  role?: UserRole;
  memberState?: string;
  active?: boolean;
}

/** Who made the change and from where, for the audit log; `actor` null means the system (seeding). */
export interface ChangeContext {
  actor: Actor | null;
  ip: string | null;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tokens: AccessTokenService,
    private readonly audit: AuditService,
    private readonly memberStates: MemberStateDirectory,
    private readonly policy: PasswordPolicy,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(input: NewUser, ctx: ChangeContext, extraAudit: Record<string, unknown> = {}): Promise<UserEntity> {
    const memberState = await this.checkRoleAndState(input.role, input.memberState ?? null);
    const email = normaliseEmail(input.email);
    this.policy.check(input.password, { email });
    const passwordHash = await hashPassword(input.password);
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(UserEntity)
        .values({
          email,
          displayName: input.displayName.trim(),
          passwordHash,
          role: input.role,
          memberState,
          active: true,
          createdAt: now,
          updatedAt: now,
        })
        .orIgnore()
        .returning('id')
        .execute();
      const id = (inserted.raw as { id: string }[])[0]?.id;
      if (!id) throw new DomainException(ErrorCode.CONFLICT, `A user with email ${email} already exists`, { email });
      await this.audit.record(
        {
          action: 'user_created',
          actorId: ctx.actor?.id ?? null,
          subject: `user:${id}`,
          details: { email, role: input.role, memberState, ...extraAudit },
          ip: ctx.ip,
        },
        manager,
      );
      return this.get(id, manager);
    });
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<UserEntity> {
    const user = await manager.findOneBy(UserEntity, { id });
    if (!user) throw new DomainException(ErrorCode.NOT_FOUND, `User ${id} does not exist`, { id });
    return user;
  }

  async findByEmail(email: string): Promise<UserEntity | null> {
    return this.dataSource.manager.findOneBy(UserEntity, { email: normaliseEmail(email) });
  }

  async list(filter: UserFilter = {}): Promise<UserEntity[]> {
    const where: FindOptionsWhere<UserEntity> = {};
    if (filter.role) where.role = filter.role;
    if (filter.memberState) where.memberState = filter.memberState;
    if (filter.active !== undefined) where.active = filter.active;
    return this.dataSource.manager.find(UserEntity, {
      where,
      order: { role: 'ASC', memberState: 'ASC', email: 'ASC' },
    });
  }

  /**
   * Changes role, member state, display name or the active flag. A change of role or member
   * state is audited as `role_changed`, a deactivation as `user_deactivated`; both revoke every
   * token the user holds, so the new rights apply from the next sign-in.
   */
  async update(id: string, changes: UserChanges, ctx: ChangeContext): Promise<UserEntity> {
    const current = await this.get(id);
    const role = changes.role ?? current.role;
    // Leaving the approver role drops the member state unless the caller set one explicitly (then it is refused).
    const requestedState =
      changes.memberState !== undefined ? changes.memberState : role === 'approver' ? current.memberState : null;
    const unchanged = role === current.role && requestedState === current.memberState;
    const memberState = unchanged ? current.memberState : await this.checkRoleAndState(role, requestedState);

    if (ctx.actor?.id === id && (role !== current.role || changes.active === false)) {
      throw new DomainException(
        ErrorCode.UNPROCESSABLE,
        'You cannot change your own role or deactivate yourself; ask another admin',
      );
    }

    return this.dataSource.transaction(async (manager) => {
      const locked = await manager.findOne(UserEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!locked) throw new DomainException(ErrorCode.NOT_FOUND, `User ${id} does not exist`, { id });
      const roleChanged = role !== locked.role || memberState !== locked.memberState;
      const active = changes.active ?? locked.active;
      const displayName = changes.displayName?.trim() ?? locked.displayName;

      await manager.update(UserEntity, { id }, { role, memberState, active, displayName, updatedAt: this.clock.now() });
      const audit = (
        action: 'role_changed' | 'user_deactivated' | 'user_reactivated',
        details: Record<string, unknown>,
      ) =>
        this.audit.record(
          { action, actorId: ctx.actor?.id ?? null, subject: `user:${id}`, details, ip: ctx.ip },
          manager,
        );

      if (roleChanged) {
        const tokensRevoked = await this.tokens.revokeAllFor(id, 'role_changed', manager);
        await audit('role_changed', {
          from: { role: locked.role, memberState: locked.memberState },
          to: { role, memberState },
          tokensRevoked,
        });
      }
      if (locked.active && !active) {
        const tokensRevoked = await this.tokens.revokeAllFor(id, 'user_deactivated', manager);
        await audit('user_deactivated', { tokensRevoked });
      } else if (!locked.active && active) {
        await audit('user_reactivated', {});
      }
      return this.get(id, manager);
    });
  }

  async revokeTokens(id: string, ctx: ChangeContext): Promise<number> {
    await this.get(id);
    return this.dataSource.transaction(async (manager) => {
      const tokensRevoked = await this.tokens.revokeAllFor(id, 'admin', manager);
      await this.audit.record(
        {
          action: 'token_revoked',
          actorId: ctx.actor?.id ?? null,
          subject: `user:${id}`,
          details: { scope: 'all', tokensRevoked },
          ip: ctx.ip,
        },
        manager,
      );
      return tokensRevoked;
    });
  }

  /** Approvers need a current member state; nobody else may have one. Returns the state to store. */
  private async checkRoleAndState(role: UserRole, memberState: string | null): Promise<string | null> {
    if (role !== 'approver') {
      if (memberState) {
        throw new DomainException(
          ErrorCode.UNPROCESSABLE,
          `Only approvers have a member state; a ${role} cannot be given ${memberState}`,
          { role, memberState },
        );
      }
      return null;
    }
    if (!memberState) {
      throw new DomainException(
        ErrorCode.UNPROCESSABLE,
        'An approver needs a member state (the state whose positions they record)',
        { role },
      );
    }
    await this.memberStates.assertCurrent(memberState);
    return memberState;
  }
}
