import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { WorldService } from '../engine/world.service';
import { ReferenceModule } from '../reference/reference.module';
import { AnalysisReportService } from './analysis-report.service';
import { AnalysisReportController, DraftsController } from './documents.controller';
import { DraftExportService, PDF_FONTS } from './draft-export.service';
import { DraftReviewService } from './draft-review.service';
import { DraftsService } from './drafts.service';
import { SignedCommentsService } from './signed-comments.service';
import { AuthModule } from '../auth/auth.module';
import { EXPORTS_QUEUE } from './exports/export-jobs';
import { ExportJobsService } from './exports/export-jobs.service';
import { ExportRendererProcessor } from './exports/export-renderer.processor';
import { ExportsController } from './exports/exports.controller';
import { ExportRenderer } from './render/export-renderer';
import { PdfFontLocator } from './render/pdf-fonts';
import { ProcedureRecordController } from './procedure-record.controller';
import { ProcedureRecordService } from './procedure-record.service';

/**
 * Drafts that keep every version (articles in Russian, Chinese and English, comments), their
 * diffs, consolidation and comparison tables, and exports (at once, or as jobs of the `exports`
 * queue with a status to poll). Tells the engine about each instance's draft (latest version,
 * drifted articles) through WorldService. `workers: true` also registers the exports worker.
 */
@Module({})
export class DocumentsModule implements OnModuleInit {
  constructor(
    private readonly world: WorldService,
    private readonly drafts: DraftsService,
  ) {}

  static register(options: { workers: boolean }): DynamicModule {
    return {
      module: DocumentsModule,
      imports: [EngineModule, ReferenceModule, AuthModule, BullModule.registerQueue({ name: EXPORTS_QUEUE })],
      controllers: [DraftsController, AnalysisReportController, ProcedureRecordController, ExportsController],
      providers: [
        DraftsService,
        SignedCommentsService,
        DraftReviewService,
        DraftExportService,
        AnalysisReportService,
        ProcedureRecordService,
        ExportRenderer,
        ExportJobsService,
        { provide: PDF_FONTS, useFactory: () => new PdfFontLocator() },
        ...(options.workers ? [ExportRendererProcessor] : []),
      ],
      exports: [DraftsService],
    };
  }

  onModuleInit(): void {
    this.world.useDraftFacts(this.drafts);
  }
}
