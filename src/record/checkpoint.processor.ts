import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { EvidenceService } from './evidence.service';

export const EVIDENCE_QUEUE = 'evidence';
export const CHECKPOINT_SCHEDULER = 'evidence-checkpoints';

/**
 * The periodic checkpoint: a BullMQ job scheduler (one per Redis prefix, whatever the number of
 * workers) that runs every EVIDENCE_CHECKPOINT_EVERY_MS and signs the chain head of every
 * procedure changed since its last checkpoint. Registered only where workers run.
 */
@Processor(EVIDENCE_QUEUE)
export class CheckpointProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly log = new Logger('Evidence');

  constructor(
    private readonly evidence: EvidenceService,
    @InjectQueue(EVIDENCE_QUEUE) private readonly queue: Queue,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const every = this.runtime.env.EVIDENCE_CHECKPOINT_EVERY_MS;
    try {
      if (every > 0)
        await this.queue.upsertJobScheduler(CHECKPOINT_SCHEDULER, { every }, { name: 'checkpoint', data: {} });
      else await this.queue.removeJobScheduler(CHECKPOINT_SCHEDULER);
    } catch (err) {
      // Redis out of reach at start: procedures still checkpoint when they close; the next start schedules again.
      this.log.warn(`The periodic checkpoint could not be scheduled: ${(err as Error).message}`);
    }
  }

  async process(): Promise<string> {
    const n = await this.evidence.checkpointChanged();
    return `${n} checkpoint(s)`;
  }
}
