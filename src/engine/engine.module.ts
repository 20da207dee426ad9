import { Module } from '@nestjs/common';
import { defaultRegistry } from '../../workflows/registry';
import { ReferenceModule } from '../reference/reference.module';
import { ChildProcedures } from './child-procedures';
import { WorkflowEngine } from './engine.service';
import { DEFINITIONS } from './engine.types';
import { InstanceViews } from './instance-view';
import { MembershipFollower } from './membership-follower';
import { OutboxRelay } from './outbox.relay';
import { WorldService } from './world.service';

@Module({
  imports: [ReferenceModule],
  providers: [
    { provide: DEFINITIONS, useFactory: defaultRegistry },
    WorkflowEngine,
    OutboxRelay,
    WorldService,
    ChildProcedures,
    InstanceViews,
    MembershipFollower,
  ],
  exports: [WorkflowEngine, OutboxRelay, DEFINITIONS, WorldService, InstanceViews, MembershipFollower],
})
export class EngineModule {}
