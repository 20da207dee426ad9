import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { REQUIRED_ROLES } from '../common/roles.decorator';
import type { UserRole } from '../common/roles';

/** Global guard (APP_GUARD, after AuthGuard): enforces @Roles(...) with a 403 that names the roles needed. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const required = this.reflector.getAllAndOverride<UserRole[] | undefined>(REQUIRED_ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required?.length) return true;
    const actor = context.switchToHttp().getRequest<Request>().actor;
    if (!actor) throw new DomainException(ErrorCode.UNAUTHENTICATED, 'Sign in first');
    if (!(required as string[]).includes(actor.role)) {
      throw new DomainException(
        ErrorCode.FORBIDDEN,
        `This action needs the role ${required.join(' or ')}; you are ${actor.role}`,
        {
          requiredRoles: required,
          role: actor.role,
        },
      );
    }
    return true;
  }
}
