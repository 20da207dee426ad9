import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { ApiBearer, ApiErrors } from '../common/openapi';
import { DeadlineReconciler } from './deadline-reconciler.service';
import { ReconcileReportDto } from './notification-responses.dto';

@ApiTags('admin')
@ApiBearer()
@Controller('admin/deadlines')
export class DeadlinesAdminController {
  constructor(private readonly reconciler: DeadlineReconciler) {}

  @Post('reconcile')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Reconcile the deadline jobs in Redis with the deadlines in PostgreSQL now',
    description:
      'What the periodic reconciliation does (re-run unprocessed deadline.sync rows, add missing jobs, remove stale ones, retry failed ones), at once; answers with what it fixed.',
  })
  @ApiOkResponse({ type: ReconcileReportDto })
  @ApiErrors({ status: 403, description: 'FORBIDDEN: administrators only' })
  reconcile() {
    return this.reconciler.reconcile();
  }
}
