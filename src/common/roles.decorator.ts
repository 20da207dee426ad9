import { SetMetadata } from '@nestjs/common';
import type { UserRole } from './roles';

export const REQUIRED_ROLES = 'auth:requiredRoles';

/** Only callers holding one of these roles may use the route (checked by RolesGuard after AuthGuard). */
export const Roles = (...roles: [UserRole, ...UserRole[]]): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_ROLES, roles);
