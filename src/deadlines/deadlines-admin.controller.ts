import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/roles.decorator';
import { DeadlineReconciler } from './deadline-reconciler.service';

@ApiTags('admin')
@ApiBearerAuth()
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
  reconcile() {
    return this.reconciler.reconcile();
  }
}
