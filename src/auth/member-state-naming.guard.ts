import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { MEMBER_STATE_AS_DATA } from '../common/member-state-as-data.decorator';
import type { UserRole } from '../common/roles';

/**
 * The one rule for naming a member state in a request. Whose member state a caller acts for comes
 * from their identity only; a request that names one anywhere (header, query or body, nested, in
 * any spelling: memberState, member_state, MemberState, memberState[], X-Member-State, under a
 * `__proto__` key) is refused with the same 403 before anything is read or written. Routes that
 * take a member state as data (an administrator creating a user, appointing an acting approver,
 * reference data, filters of lists that are not scoped to the caller) say so with
 * {@link MemberStateAsData}; the roles those routes need are checked by RolesGuard.
 *
 * Write routes take no query parameters: an unknown one is a 400, so nothing rides along unseen.
 */
export const NAMED_MEMBER_STATE_REFUSAL =
  'A member state cannot be named in this request: the member state you act for comes from your identity.';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_WALK = 10_000;

/** `member_state`, `MemberState`, `memberState[]`, `x-member-state`, `__proto__[memberStates]` → true. */
export function namesMemberState(name: string): boolean {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .includes('memberstate');
}

/** The path of the first key naming a member state in a parsed body or query, or null. Own keys only, `__proto__` included. */
export function memberStateKeyIn(value: unknown, path = ''): string | null {
  const stack: [unknown, string][] = [[value, path]];
  for (let seen = 0; stack.length && seen < MAX_WALK; seen++) {
    const [v, p] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    for (const key of Object.getOwnPropertyNames(v)) {
      if (Array.isArray(v) && key === 'length') continue;
      const at = p ? `${p}.${key}` : key;
      if (namesMemberState(key)) return at;
      stack.push([(v as Record<string, unknown>)[key], at]);
    }
  }
  return null;
}

@Injectable()
export class MemberStateNamingGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const asDataFor = this.reflector.getAllAndOverride<UserRole[] | undefined>(MEMBER_STATE_AS_DATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    const role = req.actor?.role;
    if (!(role && (asDataFor as string[] | undefined)?.includes(role))) {
      const where =
        Object.keys(req.headers).find(namesMemberState) ??
        memberStateKeyIn(req.query) ??
        memberStateKeyIn(req.body as unknown);
      if (where) throw new DomainException(ErrorCode.FORBIDDEN, NAMED_MEMBER_STATE_REFUSAL, { named: where });
    }
    if (WRITE_METHODS.has(req.method)) {
      const unknown = Object.keys(req.query ?? {});
      if (unknown.length)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `This route takes no query parameters (got ${unknown
            .slice(0, 5)
            .map((k) => `"${k.slice(0, 40)}"`)
            .join(', ')}); send the request without them.`,
          { queryParameters: unknown.slice(0, 20) },
        );
    }
    return true;
  }
}
