import { Global, Module } from '@nestjs/common';
import type { Job } from 'bullmq';
import {
  DELIVERY_FAULTS,
  type DeliveryFaultHook,
  type DeliveryFaultPoint,
} from '../../src/deadlines/deadline-delivery.service';
import type { DeadlineJobData } from '../../src/deadlines/deadline-jobs';
import { ENGINE_FAULTS, type EngineFaultHook, type FaultPoint } from '../../src/engine/engine.types';

type EngineFault = (point: FaultPoint, command: { type: string; instanceId?: string }) => void;
type DeliveryFault = (point: DeliveryFaultPoint, job: Job<DeadlineJobData>) => void;

/** The engine's fault port in tests: `t.app.get(EngineFaults).set((point) => { throw ... })`. */
export class EngineFaults implements EngineFaultHook {
  private fault: EngineFault | null = null;

  set(fault: EngineFault | null): void {
    this.fault = fault;
  }

  at(point: FaultPoint, command: { type: string; instanceId?: string }): void {
    this.fault?.(point, command);
  }
}

/** The deadline delivery's fault port in tests: `t.app.get(DeliveryFaults).set(...)`. */
export class DeliveryFaults implements DeliveryFaultHook {
  private fault: DeliveryFault | null = null;

  set(fault: DeliveryFault | null): void {
    this.fault = fault;
  }

  at(point: DeliveryFaultPoint, job: Job<DeadlineJobData>): void {
    this.fault?.(point, job);
  }
}

/** Provides the fault ports the production code declares (and leaves unprovided). */
@Global()
@Module({
  providers: [
    EngineFaults,
    DeliveryFaults,
    { provide: ENGINE_FAULTS, useExisting: EngineFaults },
    { provide: DELIVERY_FAULTS, useExisting: DeliveryFaults },
  ],
  exports: [EngineFaults, DeliveryFaults, ENGINE_FAULTS, DELIVERY_FAULTS],
})
export class FaultHooksModule {}
