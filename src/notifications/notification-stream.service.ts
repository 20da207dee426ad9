import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import { NotificationsService } from '../deadlines/notifications.service';
import { REDIS, REDIS_PREFIX, redisKey } from '../infra/redis.module';
import { queryRows } from '../infra/sql';

export interface UnreadEvent {
  data: { unread: number };
}

/** How often an open stream says it is alive (proxies close idle connections). */
const KEEPALIVE_MS = 25_000;

/**
 * The live unread count. Whatever process stores a notification or marks one read publishes the
 * reader's id on one Redis channel; every API process subscribes once and pushes the fresh count
 * to the streams it holds for that reader (Server-Sent Events), so any process can serve any reader.
 */
@Injectable()
export class NotificationStream implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('NotificationStream');
  private subscriber: Redis | null = null;
  private readonly streams = new Map<string, Set<(unread: number) => void>>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_PREFIX) private readonly prefix: string,
    private readonly modules: ModuleRef,
  ) {}

  private get channel(): string {
    return redisKey(this.prefix, 'notifications', 'changed');
  }

  onModuleInit(): void {
    const notifications = this.modules.get(NotificationsService, { strict: false });
    notifications.onStored(async (_outboxId, created) => {
      if (!created.length) return;
      const users = await queryRows<{ user_id: string }>(
        this.ds,
        `SELECT DISTINCT user_id FROM notification WHERE id = ANY($1::uuid[])`,
        [created],
      );
      await this.publish(users.map((u) => u.user_id));
    });
    notifications.onRead((userId) => this.publish([userId]));
  }

  async onModuleDestroy(): Promise<void> {
    const s = this.subscriber;
    this.subscriber = null;
    await s?.quit().catch(() => s.disconnect());
  }

  /** Tells every process that these readers' unread counts changed. */
  async publish(userIds: string[]): Promise<void> {
    if (userIds.length) await this.redis.publish(this.channel, JSON.stringify(userIds));
  }

  private async subscribe(): Promise<void> {
    if (this.subscriber) return;
    const s = this.redis.duplicate();
    this.subscriber = s;
    s.on('message', (_channel: string, message: string) => void this.changed(message));
    s.on('error', (err: Error) => this.log.warn(`notification channel: ${err.message}`));
    await s.subscribe(this.channel);
  }

  private async changed(message: string): Promise<void> {
    let ids: unknown;
    try {
      ids = JSON.parse(message);
    } catch {
      return;
    }
    if (!Array.isArray(ids)) return;
    for (const id of ids) {
      const listeners = typeof id === 'string' ? this.streams.get(id) : undefined;
      if (!listeners?.size) continue;
      const unread = await this.unread(id as string);
      for (const l of listeners) l(unread);
    }
  }

  private async unread(userId: string): Promise<number> {
    const [{ n }] = await queryRows<{ n: number }>(
      this.ds,
      `SELECT count(*)::int AS n FROM notification WHERE user_id = $1 AND read_at IS NULL`,
      [userId],
    );
    return n;
  }

  /** The reader's unread count now, then at every change, until the client goes away. */
  stream(userId: string): Observable<UnreadEvent> {
    return new Observable<UnreadEvent>((subscriber) => {
      const push = (unread: number) => subscriber.next({ data: { unread } });
      let set = this.streams.get(userId);
      if (!set) this.streams.set(userId, (set = new Set()));
      set.add(push);
      const keepalive = setInterval(() => void this.unread(userId).then(push, () => undefined), KEEPALIVE_MS);
      keepalive.unref();
      this.subscribe()
        .then(() => this.unread(userId))
        .then(push)
        .catch((err: Error) => subscriber.error(err));
      return () => {
        clearInterval(keepalive);
        set.delete(push);
        if (!set.size) this.streams.delete(userId);
      };
    });
  }
}
