import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, type EntityManager } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { AccessTokenService, type IssuedAccessToken } from './access-token.service';
import { ActingAppointmentEntity } from './acting-appointment.entity';
import { actingAppointmentSql, actingAs, mayActFor, type ActingAppointmentRow } from './acting';
import { AuditService } from './audit.service';
import { verifyPassword } from './password-hasher';
import { queryOne } from '../infra/sql';
import { UserEntity } from './user.entity';

export interface SignInResult extends IssuedAccessToken {
  user: UserEntity;
}

export const SIGN_IN_FAILED_MESSAGE = 'Email or password is incorrect';

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

@Injectable()
export class AuthService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(ActingAppointmentEntity) private readonly appointments: Repository<ActingAppointmentEntity>,
    private readonly tokens: AccessTokenService,
    private readonly audit: AuditService,
  ) {}

  /** Every failure (unknown email, wrong password, deactivated account) gets the same answer; the audit log says which. */
  async signIn(email: string, password: string, ip: string | null): Promise<SignInResult> {
    const normalised = normaliseEmail(email);
    const user = await this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email: normalised })
      .getOne();
    const passwordMatches = await verifyPassword(user?.passwordHash ?? null, password);
    const failure = !user ? 'unknown_email' : !passwordMatches ? 'wrong_password' : !user.active ? 'deactivated' : null;
    if (failure || !user) {
      await this.audit.record({
        action: 'sign_in_failed',
        actorId: user?.id ?? null,
        subject: `email:${normalised}`,
        details: { reason: failure },
        ip,
      });
      throw new DomainException(ErrorCode.UNAUTHENTICATED, SIGN_IN_FAILED_MESSAGE);
    }
    const token = await this.tokens.issue(user);
    await this.audit.record({
      action: 'sign_in',
      actorId: user.id,
      subject: `user:${user.id}`,
      details: { tokenId: token.tokenId },
      ip,
    });
    const { passwordHash: _hash, ...safe } = user;
    return { ...token, user: safe as UserEntity };
  }

  async signOut(actor: Actor, tokenId: string, ip: string | null): Promise<void> {
    if (await this.tokens.revoke(tokenId, 'sign_out')) {
      await this.audit.record({
        action: 'sign_out',
        actorId: actor.id,
        subject: `user:${actor.id}`,
        details: { tokenId },
        ip,
      });
    }
  }

  async me(actor: Actor): Promise<UserEntity> {
    const user = await this.users.findOneBy({ id: actor.id });
    if (!user) throw new DomainException(ErrorCode.UNAUTHENTICATED, 'Sign in first');
    return user;
  }

  /**
   * The actor as they answer at `at`: an approver covered by an acting appointment at that
   * moment answers for the appointment's member state with `actingFor` = the approver they
   * replace. Outside the appointment's period (or revoked) it has no effect. Only appointments
   * of the actor's own member state count, so a later change of the user's state voids them.
   */
  async resolveActing(actor: Actor, at: Date, manager?: EntityManager): Promise<Actor> {
    if (!mayActFor(actor)) return actingAs(actor, null);
    const row = await queryOne<{ appointment: ActingAppointmentRow | null }>(
      manager ?? this.appointments.manager,
      `SELECT ${actingAppointmentSql('$1', '$2', '$3')} AS appointment`,
      [actor.id, actor.memberState, at],
    );
    return actingAs(actor, row?.appointment);
  }
}
