import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EngineModule } from '../engine/engine.module';
import { EvidenceModule } from '../record/evidence.module';
import { CorrectionsController } from './corrections.controller';
import { DefinitionsController, InstancesController } from './instances.controller';
import { InstancesService } from './instances.service';

@Module({
  imports: [EngineModule, AuthModule, EvidenceModule],
  controllers: [DefinitionsController, InstancesController, CorrectionsController],
  providers: [InstancesService],
  exports: [InstancesService],
})
export class InstancesModule {}
