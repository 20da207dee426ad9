import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { ApiBearer, ApiErrors } from '../common/openapi';
import { DashboardDto } from './dashboard-responses.dto';
import { DashboardQuery } from './dashboard.dto';
import { DashboardService } from './dashboard.service';

@ApiTags('monitoring')
@ApiBearer()
@Controller('monitoring')
export class MonitoringController {
  constructor(private readonly dashboards: DashboardService) {}

  @Get('dashboard')
  @Roles('manager', 'admin', 'legal_officer')
  @ApiOperation({
    summary:
      'Every direction-1 procedure at a glance: counts by procedure and stage, overdue and due this week, member states holding items up and since when, average time per stage',
  })
  @ApiOkResponse({ type: DashboardDto })
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: definition or partner is not a valid code' },
    { status: 403, description: 'FORBIDDEN: managers, administrators and legal officers only' },
  )
  dashboard(@Query() query: DashboardQuery) {
    return this.dashboards.dashboard(query);
  }
}
