import { Body, Controller, Get, HttpCode, Param, Post, Res, StreamableFile } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../../../workflows/kernel/types';
import { CurrentActor } from '../../auth/current-actor.decorator';
import { ApiBearer, ApiErrors } from '../../common/openapi';
import { EXPORT_CSP } from '../render/html';
import { ExportJobsService } from './export-jobs.service';
import { ExportStatusDto, RequestExportDto } from './export-jobs.dto';

const EXPORT_NOT_FOUND = {
  status: 404,
  description: 'NOT_FOUND: no such export of yours on this procedure (exports are kept for an hour)',
} as const;

/**
 * Exports as jobs: request one (202 with its status), poll its status (state, progress), then
 * download the file. Rendered by the `exports` queue's workers, off the API's event loop.
 */
@ApiTags('drafts')
@ApiBearer()
@Controller('instances/:id/exports')
export class ExportsController {
  constructor(private readonly jobs: ExportJobsService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Request an export (a version, the comparison table or the 1(a) report, as HTML or PDF); poll GET /instances/:id/exports/:exportId',
  })
  @ApiAcceptedResponse({ type: ExportStatusDto })
  @ApiErrors(
    400,
    {
      status: 404,
      description:
        'NOT_FOUND: no such procedure, draft or version, or (approvers) a version or report not circulated to the member states',
    },
    { status: 409, description: 'CONFLICT: a report was asked of a procedure that is not an analysis (1(a))' },
    429,
  )
  request(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: RequestExportDto) {
    return this.jobs.request(
      id,
      {
        kind: dto.kind,
        version: dto.version,
        from: dto.from,
        to: dto.to,
        format: dto.format ?? 'pdf',
        lang: dto.lang ?? 'ru',
      },
      actor,
    );
  }

  @Get(':exportId')
  @ApiOperation({
    summary: 'The status of an export: queued, running (with its progress), done (with its file) or failed',
  })
  @ApiOkResponse({ type: ExportStatusDto })
  @ApiErrors(EXPORT_NOT_FOUND)
  status(@CurrentActor() actor: Actor, @Param('id') id: string, @Param('exportId') exportId: string) {
    return this.jobs.status(id, exportId, actor);
  }

  @Get(':exportId/file')
  @ApiOperation({ summary: 'The rendered file of a finished export' })
  @ApiProduces('text/html', 'application/pdf')
  @ApiOkResponse({
    description: 'The rendered document',
    content: {
      'text/html': { schema: { type: 'string' } },
      'application/pdf': { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiErrors(EXPORT_NOT_FOUND, { status: 409, description: 'CONFLICT: the export is not done yet, or failed' })
  async file(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('exportId') exportId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    const file = await this.jobs.file(id, exportId, actor);
    res.setHeader('Content-Security-Policy', EXPORT_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'private, no-store');
    return new StreamableFile(file.body, {
      type: file.contentType,
      disposition: `attachment; filename="${file.filename}"`,
      length: file.body.length,
    });
  }
}
