import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../infra/clock';
import { RUNTIME, type Runtime } from '../infra/runtime';

import { preparedRows } from '../infra/sql';
import {
  OUTBOX_KINDS,
  type OutboxBatchHandler,
  type OutboxHandlers,
  type OutboxKind,
  type OutboxMessage,
  type OutboxPayloads,
} from './outbox-messages';

/** An outbox row as read for relaying: its payload is the one the engine wrote for its kind. */
interface OutboxRowOf<K extends OutboxKind> {
  id: string;
  instance_id: string | null;
  kind: K;
  payload: OutboxPayloads[K];
  attempts: number;
}
type OutboxRow = { [K in OutboxKind]: OutboxRowOf<K> }[OutboxKind];

const BATCH = 100;

/**
 * The transactional outbox's relay. Side effects a transition asked for are rows written in the
 * same transaction as the state change; after commit the relay runs them (start a child, deliver
 * CHILD_DONE, schedule deadline jobs, store notifications). A crash between commit and relay only
 * delays the work: the periodic sweep and the sweep at start pick up every row not yet processed.
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so any number of processes can relay at once.
 * A kind with a batch handler (notify) has each run of consecutive messages of that kind handled
 * together; the messages handled are marked processed by one statement per batch.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('OutboxRelay');
  private readonly handlers: Partial<OutboxHandlers> = {};
  private readonly batchHandlers: Partial<Record<OutboxKind, OutboxBatchHandler<OutboxKind>>> = {};
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  register<K extends OutboxKind>(kind: K, handler: OutboxHandlers[K]): void {
    this.handlers[kind] = handler;
  }

  /**
   * Registers a kind's batch handler: consecutive claimed messages of the kind are run together,
   * and one at a time (through the same handler) after a batch failed.
   */
  registerBatch<K extends OutboxKind>(kind: K, handler: OutboxBatchHandler<K>): void {
    this.batchHandlers[kind] = handler as unknown as OutboxBatchHandler<OutboxKind>;
    this.register(kind, ((message: OutboxMessage<K>) => handler([message])) as OutboxHandlers[K]);
  }

  onApplicationBootstrap(): void {
    const every = this.runtime.env.OUTBOX_SWEEP_MS;
    if (every > 0) {
      this.timer = setInterval(() => this.kick(), every);
      this.timer.unref();
    }
    this.kick();
  }

  /** Stop at the first shutdown hook, before queues and pools close, and let a running drain finish. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Ask for a drain soon, without waiting for it (called after every commit). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.drain().catch((err) => this.log.error(`outbox drain failed: ${(err as Error).message}`));
  }

  /** Process every available message; resolves with how many were processed. Tests await it. */
  async drain(): Promise<number> {
    if (this.running) {
      this.again = true;
      await this.running.catch(() => 0);
    }
    this.running = this.drainLoop();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private async drainLoop(): Promise<number> {
    let total = 0;
    do {
      this.again = false;
      for (;;) {
        const n = await this.batch();
        total += n;
        if (n < BATCH || this.stopped) break;
      }
    } while (this.again && !this.stopped);
    return total;
  }

  /** Runs a message with the handler of its kind (batch() reads only kinds that have one). */
  private async run<K extends OutboxKind>(message: OutboxMessage<K>): Promise<string | null> {
    const handler = this.handlers[message.kind];
    if (!handler) throw new Error(`no handler for outbox kind ${message.kind}`);
    return (await handler(message)) ?? null;
  }

  private async batch(): Promise<number> {
    const kinds = OUTBOX_KINDS.filter((k) => this.handlers[k]);
    if (!kinds.length || !this.ds.isInitialized) return 0;
    return this.ds.transaction(async (m) => {
      const rows = await preparedRows<OutboxRow>(
        m,
        `SELECT id, instance_id, kind, payload, attempts FROM outbox_message
         WHERE processed_at IS NULL AND available_at <= $1 AND kind = ANY($2)
         ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [this.clock.now(), kinds],
      );
      const finished: { id: string; note: string | null }[] = [];
      for (let i = 0; i < rows.length;) {
        // a run of consecutive messages of a kind that has a batch handler, handled together
        let j = i + 1;
        const together = this.batchHandlers[rows[i].kind];
        if (together) while (j < rows.length && rows[j].kind === rows[i].kind) j++;
        const run = rows.slice(i, j);
        i = j;
        if (together && run.length > 1) {
          try {
            await together(run.map((r) => messageOf<OutboxKind>(r)));
            for (const r of run) finished.push({ id: r.id, note: null });
            continue;
          } catch (err) {
            this.log.warn(
              `outbox ${run[0].kind} batch of ${run.length} failed, one at a time: ${(err as Error).message}`,
            );
          }
        }
        for (const r of run) {
          try {
            finished.push({ id: r.id, note: await this.run(messageOf(r)) });
          } catch (err) {
            const backoffMs = Math.min(60_000, 500 * 2 ** Math.min(r.attempts, 7));
            this.log.warn(`outbox ${r.kind} #${r.id} failed (attempt ${r.attempts + 1}): ${(err as Error).message}`);
            await m.query(
              `UPDATE outbox_message SET attempts = attempts + 1, last_error = $2, available_at = $3 WHERE id = $1`,
              [r.id, String((err as Error).message).slice(0, 2000), new Date(this.clock.now().getTime() + backoffMs)],
            );
          }
        }
      }
      if (finished.length)
        await preparedRows(
          m,
          `UPDATE outbox_message o SET processed_at = $3, attempts = o.attempts + 1, last_error = NULL, note = d.note
             FROM unnest($1::bigint[], $2::text[]) AS d(id, note) WHERE o.id = d.id`,
          [finished.map((f) => f.id), finished.map((f) => f.note), this.clock.now()],
        );
      const done = finished.length;
      return rows.length === BATCH ? BATCH : done;
    });
  }
}

function messageOf<K extends OutboxKind>(r: OutboxRowOf<K>): OutboxMessage<K> {
  return { id: String(r.id), instanceId: r.instance_id, kind: r.kind, payload: r.payload, attempts: r.attempts };
}
