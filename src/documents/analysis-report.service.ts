/**
 * 1(a): the final information on the implementation of the memoranda, assembled from the
 * per-memorandum assessments the analysis procedure keeps in its context (assignee, status,
 * findings with the measure they feed and the procedures they were linked to, from either side and
 * at any time: `finding_link`), with the text of
 * the consolidated analysis when the procedure keeps a draft.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ConsensusRound } from '../../workflows/kernel/consensus';
import type { Actor } from '../../workflows/kernel/types';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { ReferenceService } from '../reference/reference.service';
import { readableVersions } from './draft-read-policy';
import {
  DraftExportService,
  type ExportDocument,
  type ExportFormat,
  type RenderedExport,
} from './draft-export.service';
import type { Lang } from './draft.types';
import { DraftsService, type InstanceRef } from './drafts.service';
import { label, severity, when } from './render/labels';
import { heading, p, para, type Block, type Printable, type Run } from './render/printable';

export const ANALYSIS_DEFINITION = 'implementation-analysis';

/**
 * The part of the 1(a) procedure's context the report reads (AnalysisContext in
 * workflows/procedures/implementation-analysis.ts). Read defensively: a context written by an
 * older definition version may lack fields.
 */
interface AnalysisRecord {
  title?: string;
  scope?: { criteria: string[]; memoranda: string[]; by: string; at: string } | null;
  assessments?: Record<
    string,
    {
      memorandumId: string;
      partner: string;
      assignee: string;
      dueAt: string;
      status: 'assigned' | 'overdue' | 'submitted';
      findings: { id: string; text: string; severity: string; suggestedMeasure: string | null }[];
      submittedAt: string | null;
      submittedBy: string | null;
    }
  >;
  draftVersion?: number | null;
  rounds?: ConsensusRound[];
  completedAt?: string | null;
}

@Injectable()
export class AnalysisReportService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly drafts: DraftsService,
    private readonly reference: ReferenceService,
    private readonly exports: DraftExportService,
  ) {}

  /**
   * The report as `reader` may read it (draft-read-policy). The Secretariat reads it at every
   * stage. A member state's approver reads it once the analysis has been circulated to the member
   * states (404 with a sentence before), and its text is the latest circulated version, never an
   * internal one written since.
   */
  async report(instanceId: string, reader?: Actor) {
    const instance = await this.drafts.instance(instanceId);
    if (instance.definitionId !== ANALYSIS_DEFINITION)
      throw new DomainException(
        ErrorCode.CONFLICT,
        `The final information report belongs to the analysis of the implementation of the memoranda (1(a), ${ANALYSIS_DEFINITION}); this procedure is ${instance.definitionId}.`,
        { definitionId: instance.definitionId },
      );
    const readable = reader ? readableVersions(reader, instance) : null;
    if (readable && readable.size === 0)
      throw new DomainException(
        ErrorCode.NOT_FOUND,
        'The final information of this analysis has not been circulated to the member states yet; it can be read once it is.',
      );
    const c = instance.context as AnalysisRecord;
    const partners = new Map((await this.reference.partners()).map((x) => [x.code, x.name]));
    const links = await this.ds.query<{ finding_id: string; procedure_id: string }[]>(
      `SELECT finding_id, procedure_id FROM finding_link WHERE analysis_id = $1 ORDER BY linked_at, procedure_id`,
      [instance.id],
    );
    const order = c.scope?.memoranda ?? Object.keys(c.assessments ?? {});
    const assessments = order
      .map((id) => c.assessments?.[id])
      .filter((a): a is NonNullable<typeof a> => Boolean(a))
      .map((a) => {
        const n = partners.get(a.partner);
        return {
          memorandumId: a.memorandumId,
          partner: a.partner,
          partnerName: { en: n?.en ?? a.partner, ru: n?.ru ?? a.partner, zh: n?.zh ?? a.partner },
          assignee: a.assignee,
          dueAt: a.dueAt,
          status: a.status,
          submittedAt: a.submittedAt,
          submittedBy: a.submittedBy,
          findings: a.findings.map((f) => ({
            ...f,
            links: links.filter((l) => l.finding_id === f.id).map((l) => l.procedure_id),
          })),
        };
      });
    const findings = assessments.flatMap((a) => a.findings);
    const count = (key: (f: (typeof findings)[number]) => string) =>
      findings.reduce<Record<string, number>>((acc, f) => ((acc[key(f)] = (acc[key(f)] ?? 0) + 1), acc), {});
    const approval = [...(c.rounds ?? [])].reverse().find((r) => r.stage === 'approval') ?? null;
    const approvedVersion = approval?.outcome === 'consensus' ? approval.draftVersion : null;
    return {
      procedure: { id: instance.id, state: instance.state, status: instance.status },
      title: c.title ?? '',
      criteria: c.scope?.criteria ?? [],
      scope: c.scope ? { memoranda: c.scope.memoranda, by: c.scope.by, at: c.scope.at } : null,
      approval: {
        approved: approvedVersion !== null,
        version: approvedVersion,
        completedAt: c.completedAt ?? null,
        round: approval
          ? {
              number: approval.number,
              draftVersion: approval.draftVersion,
              outcome: approval.outcome,
              objection: approval.objection,
            }
          : null,
      },
      summary: {
        memoranda: assessments.length,
        submitted: assessments.filter((a) => a.status === 'submitted').length,
        awaited: assessments.filter((a) => a.status !== 'submitted').map((a) => a.memorandumId),
        findings: findings.length,
        bySeverity: count((f) => f.severity),
        byMeasure: count((f) => f.suggestedMeasure ?? 'none'),
      },
      assessments,
      finalText: await this.finalText(instance, textVersion(approvedVersion ?? c.draftVersion ?? null, readable)),
    };
  }

  async export(instanceId: string, format: ExportFormat, lang: Lang, reader?: Actor): Promise<RenderedExport> {
    const { doc, basename } = await this.document(instanceId, lang, reader);
    return this.exports.render(doc, format, basename);
  }

  /** The report as a document to render, as `reader` may read it. */
  async document(instanceId: string, lang: Lang, reader?: Actor): Promise<ExportDocument> {
    const r = await this.report(instanceId, reader);
    const ids = r.assessments.flatMap((a) => [a.assignee, a.submittedBy ?? '']);
    const nameOf = await this.exports.namesOf(ids);
    const blocks: Block[] = [];
    blocks.push(heading(label(lang, 'summary')));
    blocks.push(para(label(lang, 'findingCount', { n: r.summary.findings, m: r.summary.submitted })));
    if (r.criteria.length) {
      blocks.push(heading(label(lang, 'criteria')));
      r.criteria.forEach((x) => blocks.push(para(`• ${x}`)));
    }
    for (const a of r.assessments) {
      blocks.push(heading(label(lang, 'memorandumWith', { partner: a.partnerName[lang], id: a.memorandumId })));
      blocks.push(
        para(
          a.status === 'submitted'
            ? label(lang, 'assessedBy', { who: nameOf(a.submittedBy ?? ''), at: when(a.submittedAt) })
            : label(lang, 'notAssessed', { who: nameOf(a.assignee), at: when(a.dueAt) }),
          a.status === 'submitted' ? 'muted' : 'warning',
        ),
      );
      if (a.status === 'submitted' && !a.findings.length) blocks.push(para(label(lang, 'noFindings'), 'muted'));
      for (const f of a.findings) {
        const runs: Run[] = [{ text: `${f.id}. `, style: 'strong' }, { text: f.text }];
        const tail = [label(lang, 'severityLabel', { s: severity(lang, f.severity) })];
        if (f.suggestedMeasure) tail.push(label(lang, 'suggests', { m: f.suggestedMeasure }));
        if (f.links.length) tail.push(label(lang, 'linkedTo', { ids: f.links.join(', ') }));
        runs.push({ text: ` (${tail.join('; ')})`, style: 'em' });
        blocks.push({ kind: 'paragraph', paragraph: { runs } });
      }
    }
    if (r.finalText) {
      blocks.push(heading(label(lang, 'text', { n: r.finalText.version })));
      for (const art of r.finalText.articles) {
        blocks.push(heading(label(lang, 'article', { n: art.number }), 3));
        blocks.push({ kind: 'paragraph', paragraph: p(art.text[lang] || label(lang, 'none')) });
      }
    }
    const doc: Printable = {
      lang,
      title: `${label(lang, 'reportTitle')}: ${r.title}`,
      subtitle: [
        label(lang, 'reportStatus', { state: r.procedure.state }),
        r.approval.approved
          ? label(lang, 'approvedVersion', { n: r.approval.version ?? '' })
          : label(lang, 'notApproved'),
      ],
      notices: lang === 'en' ? [label(lang, 'englishWorking')] : [],
      blocks,
    };
    return { doc, basename: `final-information-${lang}` };
  }

  private async finalText(instance: InstanceRef, version: number | null) {
    if (!version) return null;
    try {
      const v = await this.drafts.version(instance.id, version);
      return {
        version: v.number,
        articles: v.articles.map((a) => ({
          articleId: a.articleId,
          number: a.number,
          text: a.text,
          languages: a.languages,
        })),
      };
    } catch (err) {
      if (err instanceof DomainException && err.code === ErrorCode.NOT_FOUND) return null; // no draft kept for this analysis
      throw err;
    }
  }
}

/** The version whose text the report shows: `wanted`, or for a reader limited to `readable` versions the latest of those not after it. */
function textVersion(wanted: number | null, readable: Set<number> | null): number | null {
  if (wanted === null || !readable) return wanted;
  const allowed = [...readable].filter((v) => v <= wanted);
  return allowed.length ? Math.max(...allowed) : null;
}
