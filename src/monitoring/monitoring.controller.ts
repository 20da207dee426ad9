import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { DashboardQuery } from './dashboard.dto';
import { DashboardService } from './dashboard.service';

@ApiTags('monitoring')
@ApiBearerAuth()
@Controller('monitoring')
export class MonitoringController {
  constructor(private readonly dashboards: DashboardService) {}

  @Get('dashboard')
  @Roles('manager', 'admin', 'legal_officer')
  @ApiOperation({
    summary:
      'Every direction-1 procedure at a glance: counts by procedure and stage, overdue and due this week, member states holding items up and since when, average time per stage',
  })
  dashboard(@Query() query: DashboardQuery) {
    return this.dashboards.dashboard(query);
  }
}
