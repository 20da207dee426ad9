import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { DefinitionsController, InstancesController } from './instances.controller';
import { InstancesService } from './instances.service';

@Module({
  imports: [EngineModule],
  controllers: [DefinitionsController, InstancesController],
  providers: [InstancesService],
  exports: [InstancesService],
})
export class InstancesModule {}
