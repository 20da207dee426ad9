import type { EntitySchema } from 'typeorm';
import { ActingAppointmentEntity } from '../auth/acting-appointment.entity';
import { AuditLogEntity } from '../auth/audit-log.entity';
import { AuthTokenEntity } from '../auth/auth-token.entity';
import { UserEntity } from '../auth/user.entity';
import { ReferenceRecord } from '../reference/reference-record.entity';

/**
 * Every TypeORM entity of the application.
 *
 * Add each entity class here (import it at the top of this file). The list
 * is used by the Nest TypeORM module (together with `autoLoadEntities`, which
 * also picks up entities registered with `TypeOrmModule.forFeature`) and by
 * standalone DataSources (migrations CLI, scripts, tests), so scripts see
 * exactly the same model as the service.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const ENTITIES: Array<Function | EntitySchema> = [
  ReferenceRecord,
  UserEntity,
  AuthTokenEntity,
  ActingAppointmentEntity,
  AuditLogEntity,
];
