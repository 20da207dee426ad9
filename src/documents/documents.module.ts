import { Module, type OnModuleInit } from '@nestjs/common';
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
import { ExportRenderer } from './render/export-renderer';
import { PdfFontLocator } from './render/pdf-fonts';

/**
 * Drafts that keep every version (articles in Russian, Chinese and English, comments), their
 * diffs, consolidation and comparison tables, and exports. Tells the engine about each
 * instance's draft (latest version, drifted articles) through WorldService.
 */
@Module({
  imports: [EngineModule, ReferenceModule, AuthModule],
  controllers: [DraftsController, AnalysisReportController],
  providers: [
    DraftsService,
    SignedCommentsService,
    DraftReviewService,
    DraftExportService,
    AnalysisReportService,
    ExportRenderer,
    { provide: PDF_FONTS, useFactory: () => new PdfFontLocator() },
  ],
  exports: [DraftsService],
})
export class DocumentsModule implements OnModuleInit {
  constructor(
    private readonly world: WorldService,
    private readonly drafts: DraftsService,
  ) {}

  onModuleInit(): void {
    this.world.useDraftFacts(this.drafts);
  }
}
