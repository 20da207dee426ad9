import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import { queryRows } from '../infra/sql';
import { DraftReviewService } from './draft-review.service';
import type { Lang } from './draft.types';
import { DraftsService } from './drafts.service';
import { comparisonPrintable, versionPrintable, type NameOf } from './render/draft-printables';
import { ExportRenderer } from './render/export-renderer';
import { printableText } from './render/pdf';
import { PdfFontLocator } from './render/pdf-fonts';
import type { Printable } from './render/printable';

export type ExportFormat = 'html' | 'pdf';

export interface RenderedExport {
  body: Buffer;
  contentType: string;
  filename: string;
}

/** A document ready to render, and the file name it gets (without the extension). */
export interface ExportDocument {
  doc: Printable;
  basename: string;
}

export const PDF_FONTS = 'PDF_FONT_LOCATOR';

/** Renders drafts, comparison tables and reports as HTML or PDF. */
@Injectable()
export class DraftExportService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(PDF_FONTS) private readonly fonts: PdfFontLocator,
    private readonly drafts: DraftsService,
    private readonly review: DraftReviewService,
    private readonly renderer: ExportRenderer,
  ) {}

  async version(instanceId: string, number: number, format: ExportFormat, lang: Lang): Promise<RenderedExport> {
    const { doc, basename } = await this.versionDocument(instanceId, number, lang);
    return this.render(doc, format, basename);
  }

  async versionDocument(instanceId: string, number: number, lang: Lang): Promise<ExportDocument> {
    const doc = await this.drafts.document(instanceId);
    const v = await this.drafts.version(instanceId, number);
    const nameOf = await this.namesOf([v.authorId]);
    return { doc: versionPrintable(doc, v, lang, nameOf), basename: `draft-v${number}-${lang}` };
  }

  async comparison(
    instanceId: string,
    from: number,
    to: number,
    format: ExportFormat,
    lang: Lang,
    reader?: Actor,
  ): Promise<RenderedExport> {
    const { doc, basename } = await this.comparisonDocument(instanceId, from, to, lang, reader);
    return this.render(doc, format, basename);
  }

  async comparisonDocument(
    instanceId: string,
    from: number,
    to: number,
    lang: Lang,
    reader?: Actor,
  ): Promise<ExportDocument> {
    const c = await this.review.comparison(instanceId, from, to, lang, reader);
    const ids = [
      ...c.rows.flatMap((r) => r.comments.flatMap((x) => [x.authorId, x.actingFor ?? ''])),
      ...c.generalComments.flatMap((x) => [x.authorId, x.actingFor ?? '']),
      ...c.states.flatMap((s) => [s.position?.actingFor ?? '']),
    ];
    return {
      doc: comparisonPrintable(c, await this.namesOf(ids)),
      basename: `comparison-v${from}-v${to}-${lang}`,
    };
  }

  /** `onProgress` hears the fraction (0..1) of the document laid out, while it renders. */
  async render(
    doc: Printable,
    format: ExportFormat,
    basename: string,
    onProgress?: (fraction: number) => void,
  ): Promise<RenderedExport> {
    // Rendered on the export thread; fonts are chosen here, where a missing one answers 503 with a sentence.
    if (format === 'html')
      return {
        body: await this.renderer.render(doc, 'html', { text: null, bold: null, cjk: null }, onProgress),
        contentType: 'text/html; charset=utf-8',
        filename: `${basename}.html`,
      };
    const fonts = this.fonts.fontsFor(printableText(doc));
    return {
      body: await this.renderer.render(doc, 'pdf', fonts, onProgress),
      contentType: 'application/pdf',
      filename: `${basename}.pdf`,
    };
  }

  /** Display names of users (as the identity module keeps them); unknown ids show as themselves. */
  async namesOf(ids: string[]): Promise<NameOf> {
    const wanted = [...new Set(ids.filter(Boolean))];
    const names = new Map<string, string>();
    if (wanted.length) {
      try {
        const rows = await queryRows<{ id: string; display_name: string }>(
          this.ds,
          `SELECT id::text AS id, display_name FROM app_user WHERE id::text = ANY($1::text[])`,
          [wanted],
        );
        for (const r of rows) names.set(r.id, r.display_name);
      } catch {
        // no identity table (e.g. a database without the auth migration): ids are shown as they are
      }
    }
    return (id) => names.get(id) ?? id;
  }
}
