import { Module } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { DashboardService } from './dashboard.service';
import { MonitoringController } from './monitoring.controller';

@Module({
  imports: [EngineModule],
  controllers: [MonitoringController],
  providers: [DashboardService],
})
export class MonitoringModule {}
