import type { Role } from '../../workflows/kernel/types';

/** Roles a person can hold. `system` (deadline processors, the engine itself) is never a user. */
export const USER_ROLES = ['legal_officer', 'approver', 'manager', 'admin'] as const satisfies readonly Role[];
export type UserRole = (typeof USER_ROLES)[number];

/** ISO 3166-1 alpha-2, the shape of every member-state code in the reference data. */
export const MEMBER_STATE_CODE = /^[A-Z]{2}$/;
