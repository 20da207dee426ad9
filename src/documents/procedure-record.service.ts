/**
 * The record of a procedure's facts outside the system, as a reader and an export show it: the
 * adoption (body, decision number and date), the signing (who signed for each side, in what
 * capacity and on what full powers), the partner's notification and the entry into force, and
 * every correction with who proposed it, why, the old and the new value, and its review.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { FullPowers } from '../../workflows/procedures/partner-payloads';
import { signatoryOf, type SignatoryRecord } from '../../workflows/procedures/memorandum-amendment';
import { correctionsOf, type CorrectionRecord } from '../engine/corrections';
import { DraftExportService, type ExportFormat, type RenderedExport } from './draft-export.service';
import type { Lang } from './draft.types';
import { DraftsService } from './drafts.service';
import { when } from './render/labels';
import { heading, p, para, type Block, type Paragraph, type Printable } from './render/printable';
import { recordLabel as label } from './render/record-labels';
import type { NameOf } from './render/draft-printables';

/** The parts of a procedure's context the record reads; read defensively (older records lack fields). */
interface RecordContext {
  adoption?: {
    body: string;
    submittedAt: string;
    submittedBy?: string;
    decisionNumber: string | null;
    date: string | null;
  } | null;
  signing?: {
    draftVersion: number;
    date: string;
    place: string;
    signatories: { forSco: SignatoryRecord; forPartner: SignatoryRecord };
    recordedBy: string;
    at: string;
  } | null;
  notification?: { date: string } | null;
  entryIntoForce?: { mode: string; date: string } | null;
}

export interface SignatoryView {
  name: string;
  capacity: string | null;
  fullPowers: FullPowers | null;
}

export interface ProcedureRecord {
  procedure: { id: string; definitionId: string; state: string; status: string };
  adoption: RecordContext['adoption'] | null;
  signing: {
    draftVersion: number;
    date: string;
    place: string;
    signatories: { forSco: SignatoryView; forPartner: SignatoryView };
    recordedBy: string;
    at: string;
  } | null;
  notification: { date: string } | null;
  entryIntoForce: { mode: string; date: string } | null;
  corrections: CorrectionRecord[];
}

@Injectable()
export class ProcedureRecordService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly drafts: DraftsService,
    private readonly exports: DraftExportService,
  ) {}

  async record(instanceId: string): Promise<ProcedureRecord> {
    const instance = await this.drafts.instance(instanceId);
    const c = instance.context as RecordContext;
    const s = c.signing ?? null;
    return {
      procedure: {
        id: instance.id,
        definitionId: instance.definitionId,
        state: instance.state,
        status: instance.status,
      },
      adoption: c.adoption ?? null,
      signing: s && {
        ...s,
        signatories: { forSco: signatoryOf(s.signatories.forSco), forPartner: signatoryOf(s.signatories.forPartner) },
      },
      notification: c.notification ? { date: c.notification.date } : null,
      entryIntoForce: c.entryIntoForce ? { mode: c.entryIntoForce.mode, date: c.entryIntoForce.date } : null,
      corrections: await correctionsOf(this.ds, instance.id),
    };
  }

  async export(instanceId: string, format: ExportFormat, lang: Lang): Promise<RenderedExport> {
    const r = await this.record(instanceId);
    const nameOf = await this.exports.namesOf(
      r.corrections.flatMap((x) => [x.proposedBy, x.decidedBy ?? '']).concat(r.signing ? [r.signing.recordedBy] : []),
    );
    const blocks: Block[] = [];
    if (r.adoption) {
      blocks.push(heading(label(lang, 'adoption')));
      blocks.push(para(label(lang, 'submittedTo', { body: r.adoption.body, at: when(r.adoption.submittedAt) })));
      blocks.push(
        r.adoption.decisionNumber && r.adoption.date
          ? para(label(lang, 'decision', { n: r.adoption.decisionNumber, date: r.adoption.date }))
          : para(label(lang, 'notDecided'), 'muted'),
      );
    }
    if (r.signing) {
      blocks.push(heading(label(lang, 'signing')));
      blocks.push(
        para(label(lang, 'signedOn', { date: r.signing.date, place: r.signing.place, n: r.signing.draftVersion })),
      );
      blocks.push({ kind: 'paragraph', paragraph: signatoryParagraph(lang, 'forSco', r.signing.signatories.forSco) });
      blocks.push({
        kind: 'paragraph',
        paragraph: signatoryParagraph(lang, 'forPartner', r.signing.signatories.forPartner),
      });
    }
    if (r.notification) blocks.push(para(label(lang, 'notification', { date: r.notification.date })));
    if (r.entryIntoForce) blocks.push(para(label(lang, 'inForce', { date: r.entryIntoForce.date })));
    blocks.push(heading(label(lang, 'corrections')));
    blocks.push(para(label(lang, 'originalStays'), 'muted'));
    if (!r.corrections.length) blocks.push(para(label(lang, 'noCorrections'), 'muted'));
    else
      blocks.push({
        kind: 'table',
        columns: ['colFact', 'colRecorded', 'colCorrected', 'colReason', 'colReview'].map((k) =>
          label(lang, k as 'colFact'),
        ),
        rows: r.corrections.map((x) => correctionRow(lang, x, nameOf)),
      });
    const doc: Printable = {
      lang,
      title: label(lang, 'recordTitle'),
      subtitle: [r.procedure.definitionId, label(lang, 'stage', { state: r.procedure.state })],
      notices: [],
      blocks,
    };
    return this.exports.render(doc, format, `record-${lang}`);
  }
}

function signatoryParagraph(lang: Lang, side: 'forSco' | 'forPartner', s: SignatoryView): Paragraph {
  return {
    runs: [
      { text: `${label(lang, side)}: `, style: 'strong' },
      { text: `${s.name}, ${s.capacity ?? label(lang, 'capacityUnknown')}` },
      { text: ` (${fullPowersText(lang, s.fullPowers)})`, style: 'em' },
    ],
  };
}

function fullPowersText(lang: Lang, f: FullPowers | null): string {
  if (!f) return label(lang, 'noFullPowers');
  if (f.kind === 'ex_officio') return label(lang, 'exOfficio');
  return label(lang, f.kind === 'instrument' ? 'instrument' : 'authorised', { ref: f.reference });
}

function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'name' in v) {
    const s = signatoryOf(v as SignatoryRecord);
    return `${s.name}, ${s.capacity ?? '—'}${s.fullPowers && 'reference' in s.fullPowers ? ` (${s.fullPowers.reference})` : ''}`;
  }
  return JSON.stringify(v);
}

function correctionRow(lang: Lang, x: CorrectionRecord, nameOf: NameOf): Paragraph[][] {
  const review =
    x.status === 'pending'
      ? p(label(lang, 'pending'), 'warning')
      : x.status === 'confirmed'
        ? p(label(lang, 'confirmed', { who: nameOf(x.decidedBy ?? ''), at: when(x.decidedAt) }))
        : p(
            label(lang, 'rejected', {
              who: nameOf(x.decidedBy ?? ''),
              at: when(x.decidedAt),
              reason: x.rejectionReason ?? '',
            }),
            'muted',
          );
  return [
    [p(x.label), p(x.field, 'muted')],
    [p(valueText(x.oldValue))],
    [p(valueText(x.newValue))],
    [p(x.reason)],
    [p(label(lang, 'proposedBy', { who: nameOf(x.proposedBy), at: when(x.proposedAt) })), review],
  ];
}
