import { Controller, Get, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiBearer, ApiErrors, ApiRenderedDocument } from '../common/openapi';
import type { RenderedExport } from './draft-export.service';
import { ExportQuery } from './documents.dto';
import { ProcedureRecordDto } from './procedure-record.dto';
import { ProcedureRecordService } from './procedure-record.service';
import { EXPORT_CSP } from './render/html';

function send(res: Response, file: RenderedExport): StreamableFile {
  res.setHeader('Content-Security-Policy', EXPORT_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  return new StreamableFile(file.body, {
    type: file.contentType,
    disposition: `inline; filename="${file.filename}"`,
    length: file.body.length,
  });
}

@ApiTags('drafts')
@ApiBearer()
@Controller('instances/:id/record')
export class ProcedureRecordController {
  constructor(private readonly records: ProcedureRecordService) {}

  @Get()
  @ApiOperation({
    summary:
      'The record of the procedure: adoption, signing (who, in what capacity, on what full powers), entry into force, and every correction',
  })
  @ApiOkResponse({ type: ProcedureRecordDto })
  @ApiErrors({ status: 404, description: 'NOT_FOUND: no procedure with this id' })
  record(@Param('id') id: string) {
    return this.records.record(id);
  }

  @Get('export')
  @ApiOperation({ summary: 'The record of the procedure, with its corrections, as HTML or PDF' })
  @ApiRenderedDocument('The record, rendered')
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: format must be html or pdf, lang ru, zh or en' },
    { status: 404, description: 'NOT_FOUND: no procedure with this id' },
  )
  async export(@Param('id') id: string, @Query() q: ExportQuery, @Res({ passthrough: true }) res: Response) {
    return send(res, await this.records.export(id, q.format ?? 'html', q.lang ?? 'ru'));
  }
}
