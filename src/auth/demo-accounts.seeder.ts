import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { MemberStateDirectory } from './member-state.directory';
import type { UserRole } from '../common/roles';
import { UsersService } from './users.service';

/** Password of every demo account. Only with DEMO=true (which production mode refuses). */
export const DEMO_PASSWORD = 'amendflow-demo';

export interface DemoAccount {
  email: string;
  displayName: string;
  role: UserRole;
  memberState: string | null;
}

/** The demo accounts for the current member states: two legal officers, a manager, an admin, one approver per state. */
export function demoAccounts(memberStates: { code: string; name: string }[]): DemoAccount[] {
  return [
    { email: 'officer@amendflow.local', displayName: 'Demo legal officer', role: 'legal_officer', memberState: null },
    {
      email: 'officer2@amendflow.local',
      displayName: 'Demo legal officer (reviewer)',
      role: 'legal_officer',
      memberState: null,
    },
    { email: 'manager@amendflow.local', displayName: 'Demo manager', role: 'manager', memberState: null },
    { email: 'admin@amendflow.local', displayName: 'Demo administrator', role: 'admin', memberState: null },
    ...memberStates.map((s) => ({
      email: `approver.${s.code.toLowerCase()}@amendflow.local`,
      displayName: `Demo approver (${s.name})`,
      role: 'approver' as const,
      memberState: s.code,
    })),
  ];
}

/**
 * Creates the missing demo accounts when the service boots with DEMO=true (never by default, and
 * never in production: loadEnv refuses it), so a whole consensus (one approver per current member
 * state) can be tried at once. Existing accounts are left as they are (their passwords are not
 * reset). Every boot with DEMO=true says so in the log, and the sign-in page shows a banner
 * (GET /auth/config).
 */
@Injectable()
export class DemoAccountsSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoAccounts');

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly users: UsersService,
    private readonly memberStates: MemberStateDirectory,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.runtime.env.DEMO) return;
    // one API process of a cluster seeds (and says so); the others serve the same accounts
    if (this.runtime.apiProcess && this.runtime.apiProcess.index !== 1) return;
    this.logger.warn(
      `DEMO=true: demo accounts with the known password "${DEMO_PASSWORD}" can sign in. Never use this for real data.`,
    );
    await this.seedFor(this.runtime.env.DEMO);
  }

  /** Returns the emails created; does nothing unless `demo` (DEMO=true). */
  async seedFor(demo: boolean): Promise<string[]> {
    if (!demo) return [];
    const accounts = demoAccounts(await this.memberStates.current());
    // Hashing dominates; the accounts are created side by side (argon2 runs on the thread pool).
    const created = (await Promise.all(accounts.map((account) => this.createIfMissing(account)))).filter(
      (e): e is string => e !== null,
    );
    if (created.length > 0) {
      this.logger.warn(`Created ${created.length} demo account(s), password "${DEMO_PASSWORD}": ${created.join(', ')}`);
    }
    return created;
  }

  private async createIfMissing(account: DemoAccount): Promise<string | null> {
    if (await this.users.findByEmail(account.email)) return null;
    try {
      await this.users.create({ ...account, password: DEMO_PASSWORD }, { actor: null, ip: null }, { demo: true });
      return account.email;
    } catch (err) {
      // another process seeding at the same moment created it first
      if (err instanceof DomainException && err.code === ErrorCode.CONFLICT) return null;
      throw err;
    }
  }
}
