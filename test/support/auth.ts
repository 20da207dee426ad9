/**
 * Users and tokens for e2e tests, without going through sign-in (which is rate-limited):
 *
 *   const officer = await createUser(t.app, { role: 'legal_officer' });
 *   const token = await tokenFor(t.app, officer);
 *   await t.http().get('/auth/me').set(bearer(token)).expect(200);
 *
 *   const kz = await createUser(t.app, { role: 'approver', memberState: 'KZ' });
 *   const token2 = await signIn(t.http(), kz.email, kz.password); // the real HTTP path
 */
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type request from 'supertest';
import type { Actor } from '../../workflows/kernel/types';
import { AccessTokenService } from '../../src/auth/access-token.service';
import type { UserRole } from '../../src/common/roles';
import { UsersService } from '../../src/auth/users.service';

export interface TestUser {
  id: string;
  email: string;
  /** The password the user was created with (sign in with it). */
  password: string;
  displayName: string;
  role: UserRole;
  memberState: string | null;
}

export interface CreateUserOptions {
  role: UserRole;
  /** Required for approvers: a current member state code, e.g. 'KZ'. */
  memberState?: string;
  email?: string;
  password?: string;
  displayName?: string;
}

export const TEST_PASSWORD = 'correct horse battery staple';

/** Creates a user through UsersService (validated and audited like POST /users, actor: the system). */
export async function createUser(app: INestApplication, options: CreateUserOptions): Promise<TestUser> {
  const tag = randomBytes(4).toString('hex');
  const email =
    options.email ??
    `${options.role.replace('_', '-')}${options.memberState ? `.${options.memberState.toLowerCase()}` : ''}.${tag}@test.local`;
  const password = options.password ?? TEST_PASSWORD;
  const displayName =
    options.displayName ?? `Test ${options.role}${options.memberState ? ` (${options.memberState})` : ''} ${tag}`;
  const user = await app
    .get(UsersService)
    .create(
      { email, password, displayName, role: options.role, memberState: options.memberState ?? null },
      { actor: null, ip: null },
    );
  return {
    id: user.id,
    email: user.email,
    password,
    displayName: user.displayName,
    role: user.role,
    memberState: user.memberState,
  };
}

/** Issues an access token for the user as sign-in would (valid for ACCESS_TOKEN_TTL from the app clock). */
export async function tokenFor(
  app: INestApplication,
  user: Pick<TestUser, 'id' | 'role' | 'memberState'>,
): Promise<string> {
  return (await app.get(AccessTokenService).issue(user)).accessToken;
}

/** Signs in over HTTP (POST /auth/sign-in) and returns the access token; fails the test on any other answer than 200. */
export async function signIn(http: ReturnType<typeof request>, email: string, password: string): Promise<string> {
  const res = await http.post('/auth/sign-in').send({ email, password });
  if (res.status !== 200) throw new Error(`Sign-in of ${email} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return (res.body as { accessToken: string }).accessToken;
}

/** `Authorization` header for a token: `.set(bearer(token))`. */
export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/** A user and a token at once: `const { user, token } = await signedIn(t.app, { role: 'manager' })`. */
export async function signedIn(
  app: INestApplication,
  options: CreateUserOptions,
): Promise<{ user: TestUser; token: string; actor: Actor }> {
  const user = await createUser(app, options);
  const token = await tokenFor(app, user);
  return { user, token, actor: { id: user.id, role: user.role, memberState: user.memberState, actingFor: null } };
}
