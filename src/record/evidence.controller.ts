import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiBearer, ApiErrors } from '../common/openapi';
import { Roles } from '../common/roles.decorator';
import { CheckpointPageDto, CheckpointsQuery, EvidenceBundleDto, EvidenceBundleQuery } from './evidence.dto';
import { EvidenceService } from './evidence.service';

@ApiTags('evidence')
@ApiBearer()
@Controller()
export class EvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  @Get('instances/:id/evidence')
  @Roles('legal_officer', 'manager', 'admin')
  @ApiOperation({
    summary:
      'The evidence bundle of a procedure: one JSON file that `npx amendflow verify` checks offline (docs/evidence.md)',
  })
  @ApiOkResponse({ type: EvidenceBundleDto })
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: texts is not true or false' },
    { status: 403, description: 'FORBIDDEN: legal officers, managers and administrators only' },
    { status: 404, description: 'NOT_FOUND: no procedure with this id' },
  )
  bundle(@Param('id') id: string, @Query() query: EvidenceBundleQuery) {
    return this.evidence.bundle(id, { texts: query.texts === 'true' });
  }

  @Get('evidence/checkpoints')
  @ApiOperation({
    summary: "The service's signed checkpoints (chain heads) with its public key, in the order they were signed",
  })
  @ApiOkResponse({ type: CheckpointPageDto })
  @ApiErrors({ status: 400, description: 'INVALID_PAYLOAD: instanceId, after or limit is malformed' })
  checkpoints(@Query() query: CheckpointsQuery) {
    return this.evidence.checkpoints({ instanceId: query.instanceId, after: query.after, limit: query.limit ?? 100 });
  }
}
