import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsDate,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { ActingAppointmentEntity } from './acting-appointment.entity';
import { MEMBER_STATE_CODE, USER_ROLES, type UserRole } from '../common/roles';
import { UserEntity } from './user.entity';

const MEMBER_STATE_HINT = 'must be an ISO 3166-1 alpha-2 code such as "KZ"';
const toDate = ({ value }: { value: unknown }) => (typeof value === 'string' ? new Date(value) : value);
const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class SignInDto {
  @ApiProperty({ example: 'officer@amendflow.local' })
  @IsString()
  @MaxLength(320)
  email!: string;

  @ApiProperty({ example: 'amendflow-demo', format: 'password' })
  @IsString()
  @MaxLength(200)
  password!: string;
}

export class ChangePasswordDto {
  @ApiProperty({ format: 'password' })
  @IsString()
  @MaxLength(200)
  currentPassword!: string;

  @ApiProperty({
    format: 'password',
    description: 'At least PASSWORD_MIN_LENGTH characters (GET /auth/config), not a common breached password',
  })
  @IsString()
  @MaxLength(200)
  newPassword!: string;
}

export class ResetPasswordDto {
  @ApiProperty({ description: 'The token of the reset link an administrator issued' })
  @IsString()
  @Length(1, 200)
  token!: string;

  @ApiProperty({ format: 'password' })
  @IsString()
  @MaxLength(200)
  newPassword!: string;
}

export class PasswordResetLinkDto {
  @ApiProperty({
    example: 'https://amendflow.example.org/app/#/reset-password/7mQ…',
    description: 'Hand it to the user; shown once',
  })
  resetUrl!: string;

  @ApiProperty({ description: 'The token inside the link' })
  token!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expiresAt!: Date;
}

export class AuthConfigDto {
  @ApiProperty({ description: 'True when the service runs with DEMO=true (demo accounts with a known password)' })
  demo!: boolean;

  @ApiProperty({ type: String, nullable: true, description: 'Text of the banner the sign-in page shows in demo mode' })
  demoBanner!: string | null;

  @ApiProperty({ example: 12, description: 'Minimum length of a new password (PASSWORD_MIN_LENGTH)' })
  passwordMinLength!: number;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'approver.kz@amendflow.local' }) email!: string;
  @ApiProperty({ example: 'Approver (Kazakhstan)' }) displayName!: string;
  @ApiProperty({ enum: USER_ROLES }) role!: UserRole;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'KZ',
    description: 'Set for approvers only: the state whose positions they record',
  })
  memberState!: string | null;
  @ApiProperty() active!: boolean;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;

  static from(user: UserEntity): UserDto {
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      role: user.role,
      memberState: user.memberState,
      active: user.active,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    };
  }
}

export class SignInResponseDto {
  @ApiProperty({ description: 'Send it as `Authorization: Bearer <accessToken>`' }) accessToken!: string;
  @ApiProperty({ example: 900, description: 'Seconds until the token expires' }) expiresIn!: number;
  @ApiProperty() expiresAt!: Date;
  @ApiProperty({ type: UserDto }) user!: UserDto;
}

export class CreateUserDto {
  @ApiProperty({ example: 'approver2.kz@example.org' })
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(320)
  email!: string;

  @ApiProperty({ example: 'Aigerim Nurlanovna' })
  @IsString()
  @Length(1, 200)
  displayName!: string;

  @ApiProperty({
    format: 'password',
    minLength: 8,
    description:
      'Initial password: at least PASSWORD_MIN_LENGTH characters (default 12, see GET /auth/config), not a common breached password',
  })
  @IsString()
  @MinLength(8)
  @MaxLength(200)
  password!: string;

  @ApiProperty({ enum: USER_ROLES })
  @IsIn(USER_ROLES)
  role!: UserRole;

  @ApiPropertyOptional({
    example: 'KZ',
    description: 'Required for approvers (a current member state); not allowed for other roles',
  })
  @IsOptional()
  @Matches(MEMBER_STATE_CODE, { message: `memberState ${MEMBER_STATE_HINT}` })
  memberState?: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  displayName?: string;

  @ApiPropertyOptional({ enum: USER_ROLES, description: 'A change revokes the user’s tokens' })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'KZ',
    description: 'A change revokes the user’s tokens; null clears it',
  })
  @ValidateIf((_o, value) => value !== undefined && value !== null)
  @Matches(MEMBER_STATE_CODE, { message: `memberState ${MEMBER_STATE_HINT}` })
  memberState?: string | null;

  @ApiPropertyOptional({ description: 'false deactivates the user and revokes their tokens' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class ListUsersQueryDto {
  @ApiPropertyOptional({ enum: USER_ROLES })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @ApiPropertyOptional({ example: 'KZ' })
  @IsOptional()
  @Matches(MEMBER_STATE_CODE, { message: `memberState ${MEMBER_STATE_HINT}` })
  memberState?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  active?: boolean;
}

export class RevokedTokensDto {
  @ApiProperty({ example: 2, description: 'How many unexpired tokens were revoked' }) tokensRevoked!: number;
}

export class CreateActingAppointmentDto {
  @ApiProperty({ example: 'KZ' })
  @Matches(MEMBER_STATE_CODE, { message: `memberState ${MEMBER_STATE_HINT}` })
  memberState!: string;

  @ApiProperty({ format: 'uuid', description: 'An active approver of the same member state' })
  @IsUUID('all', { message: 'actingUserId must be a user id (uuid)' })
  actingUserId!: string;

  @ApiProperty({ format: 'uuid', description: 'The approver of that member state who is away' })
  @IsUUID('all', { message: 'forUserId must be a user id (uuid)' })
  forUserId!: string;

  @ApiProperty({ example: '2025-03-01T00:00:00Z', description: 'Start of the period (inclusive)' })
  @Transform(toDate)
  @IsDate({ message: 'validFrom must be an ISO 8601 date-time' })
  validFrom!: Date;

  @ApiProperty({ example: '2025-03-15T00:00:00Z', description: 'End of the period (exclusive)' })
  @Transform(toDate)
  @IsDate({ message: 'validTo must be an ISO 8601 date-time' })
  validTo!: Date;

  @ApiProperty({ example: 'Annual leave of the national coordinator' })
  @IsString()
  @Length(1, 1000)
  @Matches(/\S/, { message: 'reason must not be blank' })
  reason!: string;
}

export class ListActingAppointmentsQueryDto {
  @ApiPropertyOptional({ example: 'KZ' })
  @IsOptional()
  @Matches(MEMBER_STATE_CODE, { message: `memberState ${MEMBER_STATE_HINT}` })
  memberState?: string;

  @ApiPropertyOptional({ description: 'Only appointments in force at this moment' })
  @IsOptional()
  @Transform(toDate)
  @IsDate({ message: 'activeAt must be an ISO 8601 date-time' })
  activeAt?: Date;

  @ApiPropertyOptional({ description: 'Include revoked appointments (ignored with activeAt)' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  includeRevoked?: boolean;
}

export class ActingAppointmentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'KZ' }) memberState!: string;
  @ApiProperty({ format: 'uuid' }) actingUserId!: string;
  @ApiProperty({ format: 'uuid' }) forUserId!: string;
  @ApiProperty() validFrom!: Date;
  @ApiProperty() validTo!: Date;
  @ApiProperty({ format: 'uuid' }) appointedBy!: string;
  @ApiProperty() reason!: string;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true }) revokedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) revokedBy!: string | null;

  static from(a: ActingAppointmentEntity): ActingAppointmentDto {
    return {
      id: a.id,
      memberState: a.memberState,
      actingUserId: a.actingUserId,
      forUserId: a.forUserId,
      validFrom: a.validFrom,
      validTo: a.validTo,
      appointedBy: a.appointedBy,
      reason: a.reason,
      createdAt: a.createdAt,
      revokedAt: a.revokedAt,
      revokedBy: a.revokedBy,
    };
  }
}
