import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { CheckpointProcessor, EVIDENCE_QUEUE } from './checkpoint.processor';
import { EvidenceController } from './evidence.controller';
import { EvidenceService } from './evidence.service';
import { SERVICE_KEY, loadServiceKey } from './service-key';

/**
 * The evidence of the record: bundles, the server's verify and the service's signed checkpoints
 * (the outbox handler `evidence.checkpoint` signs a procedure's head when it closes).
 */
@Module({
  imports: [EngineModule, BullModule.registerQueue({ name: EVIDENCE_QUEUE })],
  controllers: [EvidenceController],
  providers: [
    { provide: SERVICE_KEY, inject: [RUNTIME], useFactory: (rt: Runtime) => loadServiceKey(rt.env) },
    EvidenceService,
  ],
  exports: [EvidenceService, BullModule],
})
export class EvidenceModule {}

/** The periodic checkpoint job's worker: imported where workers run (WORKERS_IN_PROCESS, `npm run start:worker`). */
@Module({
  imports: [EvidenceModule],
  providers: [CheckpointProcessor],
})
export class EvidenceWorkersModule {}
