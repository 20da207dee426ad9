import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { CLOCK, type Clock } from '../infra/clock';
import { ActingAppointmentEntity } from './acting-appointment.entity';
import { AuditService } from './audit.service';
import { MemberStateDirectory } from './member-state.directory';
import type { ChangeContext } from './users.service';
import { UserEntity } from './user.entity';

export interface NewActingAppointment {
  memberState: string;
  actingUserId: string;
  forUserId: string;
  validFrom: Date;
  validTo: Date;
  reason: string;
}

export interface ActingAppointmentFilter {
  memberState?: string;
  /** Only appointments in force at this moment (not revoked, period covers it). */
  activeAt?: Date;
  includeRevoked?: boolean;
}

/**
 * Acting approvers. The acting user must be an active approver of the same member state as
 * the approver they replace: a state's position is only ever recorded by someone who
 * represents that state, and the appointment adds whose place they take. An approver can
 * stand in for one colleague at a time, and a colleague has one stand-in at a time.
 */
@Injectable()
export class ActingAppointmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly memberStates: MemberStateDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async appoint(input: NewActingAppointment, ctx: ChangeContext & { actor: Actor }): Promise<ActingAppointmentEntity> {
    const { memberState, actingUserId, forUserId, validFrom, validTo } = input;
    const now = this.clock.now();
    if (validTo.getTime() <= validFrom.getTime()) {
      throw new DomainException(ErrorCode.INVALID_PAYLOAD, 'validTo must be later than validFrom', {
        validFrom,
        validTo,
      });
    }
    if (validTo.getTime() <= now.getTime()) {
      throw new DomainException(
        ErrorCode.UNPROCESSABLE,
        'The period has already ended; an appointment must end in the future',
        { validTo },
      );
    }
    if (actingUserId === forUserId) {
      throw new DomainException(ErrorCode.UNPROCESSABLE, 'An approver cannot stand in for themselves', {
        actingUserId,
      });
    }
    await this.memberStates.assertCurrent(memberState);

    return this.dataSource.transaction(async (manager) => {
      // Lock both people (in a fixed order) so two overlapping appointments cannot both pass the check below.
      const people = await manager
        .createQueryBuilder(UserEntity, 'u')
        .setLock('pessimistic_write')
        .where('u.id in (:...ids)', { ids: [actingUserId, forUserId] })
        .orderBy('u.id')
        .getMany();
      const forUser = people.find((u) => u.id === forUserId);
      const actingUser = people.find((u) => u.id === actingUserId);
      if (!forUser) throw new DomainException(ErrorCode.NOT_FOUND, `User ${forUserId} does not exist`, { forUserId });
      if (!actingUser)
        throw new DomainException(ErrorCode.NOT_FOUND, `User ${actingUserId} does not exist`, { actingUserId });
      if (forUser.role !== 'approver' || forUser.memberState !== memberState) {
        throw new DomainException(ErrorCode.UNPROCESSABLE, `${forUser.email} is not an approver of ${memberState}`, {
          forUserId,
          memberState,
        });
      }
      if (actingUser.role !== 'approver' || actingUser.memberState !== memberState) {
        throw new DomainException(
          ErrorCode.UNPROCESSABLE,
          `${actingUser.email} is not an approver of ${memberState}; only an approver of the same member state can act (create one with POST /users)`,
          { actingUserId, memberState },
        );
      }
      if (!actingUser.active) {
        throw new DomainException(ErrorCode.UNPROCESSABLE, `${actingUser.email} is deactivated`, { actingUserId });
      }

      const clash = await manager
        .createQueryBuilder(ActingAppointmentEntity, 'a')
        .where('a.revokedAt is null')
        .andWhere('a.validFrom < :validTo and a.validTo > :validFrom', { validFrom, validTo })
        .andWhere(
          new Brackets((w) =>
            w
              .where('a.actingUserId in (:...ids)', { ids: [actingUserId, forUserId] })
              .orWhere('a.forUserId in (:...ids)', { ids: [actingUserId, forUserId] }),
          ),
        )
        .getOne();
      if (clash) {
        throw new DomainException(
          ErrorCode.CONFLICT,
          `Acting appointment ${clash.id} already involves one of these approvers between ${clash.validFrom.toISOString()} and ${clash.validTo.toISOString()}; revoke it first`,
          { conflictingAppointmentId: clash.id },
        );
      }

      const appointment = manager.create(ActingAppointmentEntity, {
        memberState,
        actingUserId,
        forUserId,
        validFrom,
        validTo,
        appointedBy: ctx.actor.id,
        reason: input.reason.trim(),
        createdAt: now,
        revokedAt: null,
        revokedBy: null,
      });
      await manager.save(appointment);
      await this.audit.record(
        {
          action: 'acting_appointed',
          actorId: ctx.actor.id,
          subject: `acting_appointment:${appointment.id}`,
          details: {
            memberState,
            actingUserId,
            forUserId,
            validFrom: validFrom.toISOString(),
            validTo: validTo.toISOString(),
            reason: appointment.reason,
          },
          ip: ctx.ip,
        },
        manager,
      );
      return appointment;
    });
  }

  async list(filter: ActingAppointmentFilter = {}): Promise<ActingAppointmentEntity[]> {
    const q = this.dataSource.manager
      .createQueryBuilder(ActingAppointmentEntity, 'a')
      .orderBy('a.validFrom', 'DESC')
      .addOrderBy('a.createdAt', 'DESC');
    if (filter.memberState) q.andWhere('a.memberState = :state', { state: filter.memberState });
    if (!filter.includeRevoked || filter.activeAt) q.andWhere('a.revokedAt is null');
    if (filter.activeAt) q.andWhere('a.validFrom <= :at and a.validTo > :at', { at: filter.activeAt });
    return q.getMany();
  }

  async revoke(id: string, ctx: ChangeContext & { actor: Actor }): Promise<ActingAppointmentEntity> {
    return this.dataSource.transaction(async (manager) => {
      const appointment = await manager.findOne(ActingAppointmentEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!appointment)
        throw new DomainException(ErrorCode.NOT_FOUND, `Acting appointment ${id} does not exist`, { id });
      if (appointment.revokedAt) {
        throw new DomainException(
          ErrorCode.CONFLICT,
          `Acting appointment ${id} was already revoked at ${appointment.revokedAt.toISOString()}`,
          { id },
        );
      }
      appointment.revokedAt = this.clock.now();
      appointment.revokedBy = ctx.actor.id;
      await manager.save(appointment);
      await this.audit.record(
        {
          action: 'acting_revoked',
          actorId: ctx.actor.id,
          subject: `acting_appointment:${id}`,
          details: {
            memberState: appointment.memberState,
            actingUserId: appointment.actingUserId,
            forUserId: appointment.forUserId,
          },
          ip: ctx.ip,
        },
        manager,
      );
      return appointment;
    });
  }
}
