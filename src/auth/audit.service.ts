import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { CLOCK, type Clock } from '../infra/clock';
import { AuditLogEntity, type AuditAction } from './audit-log.entity';

export interface AuditEntry {
  action: AuditAction;
  actorId: string | null;
  subject: string;
  details?: Record<string, unknown>;
  ip?: string | null;
}

/** Writes the append-only audit log; pass the transaction's manager so the entry commits with the change. */
@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async record(entry: AuditEntry, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.save(
      manager.create(AuditLogEntity, {
        at: this.clock.now(),
        actorId: entry.actorId,
        action: entry.action,
        subject: entry.subject,
        details: entry.details ?? {},
        ip: entry.ip ?? null,
      }),
    );
  }
}
