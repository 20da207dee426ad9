import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Client, type Notification } from 'pg';
import { CLOCK, type Clock } from '../infra/clock';
import { RUNTIME, type Runtime } from '../infra/runtime';
import type { UserRole } from '../common/roles';

/** The channel the triggers of migration 1700000060000 notify on: `t:<token id>` or `u:<user id>`. */
export const AUTH_CHANGED_CHANNEL = 'auth_changed';

/** application_name of the listening connection (so operators and tests can find it). */
export const TOKEN_CACHE_LISTENER_NAME = 'amendflow-token-cache';

/** At most this many tokens are kept per process; the oldest entry goes first. */
const MAX_ENTRIES = 10_000;

/** Reconnection delays of the listener after a loss, milliseconds (doubling up to the cap). */
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 5_000;

/** What the token check reads from the database for a valid (unrevoked, active) token. */
export interface TokenAccess {
  userId: string;
  role: UserRole;
  memberState: string | null;
}

interface Entry extends TokenAccess {
  storedAt: number;
}

/**
 * The answers of the token check (AccessTokenService.authenticate), per process, keyed by token id.
 *
 * Safe because:
 * - every change that can make an answer wrong (a token revoked or deleted; a user's role, member
 *   state, active flag or password changed, or the user deleted) notifies `auth_changed` from a
 *   trigger in the changing transaction, so every process hears of it on commit and drops the entry;
 * - while the listening connection is not established (at start, after a loss) nothing is read from
 *   or written to the cache: every request asks the database, and the cache starts empty again once
 *   the connection and its LISTEN are back;
 * - an answer read from the database is stored only if no notice (nor a loss) arrived since the
 *   read began, so a read racing a revocation cannot put the old answer back;
 * - this process's own revocations and user changes also hold the token or user out of the cache
 *   (for one TTL) from the moment they are made, covering the instant between their commit and the
 *   arrival of their own notice;
 * - every entry expires after TOKEN_CACHE_TTL_MS (application clock) whatever happens.
 * TOKEN_CACHE_TTL_MS=0 turns the cache (and its connection) off.
 */
@Injectable()
export class TokenCheckCache implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('TokenCheckCache');
  private readonly ttlMs: number;
  private readonly entries = new Map<string, Entry>();
  private readonly heldTokens = new Map<string, number>();
  private readonly heldUsers = new Map<string, number>();
  private client: Client | null = null;
  private live = false;
  private closed = false;
  private generation = 0;
  private reconnectDelayMs = RECONNECT_FIRST_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private connecting: Promise<void> | null = null;

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.ttlMs = runtime.env.TOKEN_CACHE_TTL_MS;
  }

  async onModuleInit(): Promise<void> {
    if (this.ttlMs > 0) await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    await this.connecting;
    const client = this.client;
    this.client = null;
    this.goDown();
    await client?.end().catch(() => undefined);
  }

  /** True while the listening connection is up (the cache is in use). */
  isLive(): boolean {
    return this.live;
  }

  /** How many answers are held now. */
  size(): number {
    return this.entries.size;
  }

  /** The stored answer for this token of this user, if it may be used. */
  get(tokenId: string, userId: string): TokenAccess | undefined {
    if (!this.live) return undefined;
    const entry = this.entries.get(tokenId);
    if (!entry) return undefined;
    const now = this.now();
    if (entry.userId !== userId || this.expired(entry.storedAt, now) || this.held(tokenId, userId, now)) {
      this.entries.delete(tokenId);
      return undefined;
    }
    return { userId: entry.userId, role: entry.role, memberState: entry.memberState };
  }

  /** Call before reading the database; pass the result to {@link put}. */
  ticket(): number {
    return this.generation;
  }

  /** Stores an answer read since `ticket` was taken, unless anything was invalidated meanwhile. */
  put(ticket: number, tokenId: string, access: TokenAccess): void {
    if (!this.live || ticket !== this.generation) return;
    const now = this.now();
    if (this.held(tokenId, access.userId, now)) return;
    this.entries.delete(tokenId);
    this.entries.set(tokenId, { ...access, storedAt: now });
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** This process is revoking the token: never answer from the cache for it for one TTL. */
  holdToken(tokenId: string): void {
    if (this.ttlMs === 0) return;
    this.pruneHolds(this.heldTokens);
    this.heldTokens.set(tokenId, this.now() + this.ttlMs);
    this.forgetToken(tokenId);
  }

  /** This process is changing the user or revoking their tokens: no cached answer for one TTL. */
  holdUser(userId: string): void {
    if (this.ttlMs === 0) return;
    this.pruneHolds(this.heldUsers);
    this.heldUsers.set(userId, this.now() + this.ttlMs);
    this.forgetUser(userId);
  }

  /** Past holds are dropped when a map grows large (each is also dropped when next looked at). */
  private pruneHolds(holds: Map<string, number>): void {
    if (holds.size < MAX_ENTRIES) return;
    const now = this.now();
    for (const [id, until] of holds) if (until <= now) holds.delete(id);
  }

  private forgetToken(tokenId: string): void {
    this.generation++;
    this.entries.delete(tokenId);
  }

  private forgetUser(userId: string): void {
    this.generation++;
    for (const [tokenId, entry] of this.entries) {
      if (entry.userId === userId) this.entries.delete(tokenId);
    }
  }

  private onNotice(message: Notification): void {
    if (message.channel !== AUTH_CHANGED_CHANNEL) return;
    const payload = message.payload ?? '';
    if (payload.startsWith('t:')) this.forgetToken(payload.slice(2));
    else if (payload.startsWith('u:')) this.forgetUser(payload.slice(2));
    else this.clear();
  }

  private clear(): void {
    this.generation++;
    this.entries.clear();
    const now = this.now();
    for (const [id, until] of this.heldTokens) if (until <= now) this.heldTokens.delete(id);
    for (const [id, until] of this.heldUsers) if (until <= now) this.heldUsers.delete(id);
  }

  private goDown(): void {
    this.live = false;
    this.clear();
  }

  private now(): number {
    return this.clock.now().getTime();
  }

  private expired(storedAt: number, now: number): boolean {
    return now < storedAt || now - storedAt >= this.ttlMs;
  }

  private held(tokenId: string, userId: string, now: number): boolean {
    const token = this.heldTokens.get(tokenId);
    if (token !== undefined) {
      if (token > now) return true;
      this.heldTokens.delete(tokenId);
    }
    const user = this.heldUsers.get(userId);
    if (user !== undefined) {
      if (user > now) return true;
      this.heldUsers.delete(userId);
    }
    return false;
  }

  private connect(): Promise<void> {
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    const client = new Client({
      connectionString: this.runtime.postgresUrl,
      application_name: TOKEN_CACHE_LISTENER_NAME,
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    client.on('notification', (message) => this.onNotice(message));
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${AUTH_CHANGED_CHANNEL}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      if (!this.closed) {
        this.log.warn(`Token cache off: cannot listen for revocations (${(err as Error).message}); retrying`);
        this.scheduleReconnect();
      }
      return;
    }
    if (this.closed) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.reconnectDelayMs = RECONNECT_FIRST_MS;
    this.clear();
    this.live = true;
  }

  private lost(client: Client, err: Error | null): void {
    if (this.client !== client) return;
    this.client = null;
    this.goDown();
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.log.warn(`Token cache off until the revocation listener reconnects (${err?.message ?? 'connection ended'})`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(delay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.closed) void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }
}
