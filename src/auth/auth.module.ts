import { createSecretKey } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { ReferenceModule } from '../reference/reference.module';
import { AccessTokenService } from './access-token.service';
import { ActingAppointmentEntity } from './acting-appointment.entity';
import { ActingAppointmentsController } from './acting-appointments.controller';
import { ActingAppointmentsService } from './acting-appointments.service';
import { AuditLogEntity } from './audit-log.entity';
import { AuditService } from './audit.service';
import { AUTH_SETTINGS, authSettingsFrom } from './auth-settings';
import { AuthTokenEntity } from './auth-token.entity';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { DemoAccountsSeeder } from './demo-accounts.seeder';
import { MemberStateDirectory } from './member-state.directory';
import { PasswordPolicy } from './password-policy';
import { PasswordsService } from './passwords.service';
import { MemberStateNamingGuard } from './member-state-naming.guard';
import { RATE_COUNTER, UserRateLimitGuard } from './user-rate-limit.guard';
import { RedisWindowCounter } from '../infra/redis-window-counter';
import { REDIS, REDIS_PREFIX } from '../infra/redis.module';
import type Redis from 'ioredis';
import { RolesGuard } from './roles.guard';
import { SigningKeysController } from './signing-keys.controller';
import { SigningKeysService } from './signing-keys.service';
import { SIGN_IN_THROTTLER, SignInThrottlerGuard } from './sign-in-throttler.guard';
import { TokenCheckCache } from './token-check-cache';
import { UserEntity } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

const authSettingsProvider = {
  provide: AUTH_SETTINGS,
  inject: [RUNTIME],
  useFactory: (rt: Runtime) => authSettingsFrom(rt.env),
};

/**
 * Identities, roles and member-state scoping. Installs two global guards, in this order:
 * AuthGuard (bearer token → `request.actor`, unless @Public()) and RolesGuard (@Roles(...)).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity, AuthTokenEntity, ActingAppointmentEntity, AuditLogEntity]),
    ReferenceModule,
    JwtModule.registerAsync({
      inject: [RUNTIME],
      useFactory: (rt: Runtime) => ({
        // A KeyObject: jsonwebtoken otherwise tries the string as a public key first, on every verify.
        secret: createSecretKey(Buffer.from(rt.env.JWT_SECRET)),
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
    ThrottlerModule.forRootAsync({
      inject: [RUNTIME, REDIS, REDIS_PREFIX],
      useFactory: (rt: Runtime, redis: Redis, prefix: string) => ({
        throttlers: [{ name: SIGN_IN_THROTTLER, ttl: 60_000, limit: authSettingsFrom(rt.env).signInAttemptsPerMinute }],
        // counted in Redis: the limit holds across API processes
        storage: new RedisWindowCounter(redis, prefix),
      }),
    }),
  ],
  controllers: [AuthController, UsersController, ActingAppointmentsController, SigningKeysController],
  providers: [
    authSettingsProvider,
    AccessTokenService,
    TokenCheckCache,
    AuditService,
    AuthService,
    UsersService,
    ActingAppointmentsService,
    MemberStateDirectory,
    SigningKeysService,
    PasswordPolicy,
    PasswordsService,
    DemoAccountsSeeder,
    SignInThrottlerGuard,
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_GUARD, useClass: MemberStateNamingGuard },
    {
      provide: RATE_COUNTER,
      inject: [REDIS, REDIS_PREFIX],
      useFactory: (redis: Redis, prefix: string) => new RedisWindowCounter(redis, prefix),
    },
    { provide: APP_GUARD, useClass: UserRateLimitGuard },
  ],
  exports: [AuthService, UsersService, AuditService, AccessTokenService, PasswordPolicy, SigningKeysService],
})
export class AuthModule {}
