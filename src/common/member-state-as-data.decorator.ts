import { SetMetadata } from '@nestjs/common';
import type { UserRole } from './roles';

/** Metadata key read by the member-state naming guard (src/auth/member-state-naming.guard.ts). */
export const MEMBER_STATE_AS_DATA = 'memberStateAsData';

/** This route takes a member state as data from callers of these roles (any other caller naming one gets the 403). */
export const MemberStateAsData = (...roles: UserRole[]): MethodDecorator & ClassDecorator =>
  SetMetadata(MEMBER_STATE_AS_DATA, roles);
