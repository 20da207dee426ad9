/**
 * Payload schemas of the procedures conducted with one dialogue partner: 1(e) amending its
 * memorandum and 1(f) its interaction plan. Every field a person types is bounded.
 */
import { z } from 'zod';
import { code, fromFindingInput, isoDate, text } from './payloads';

/**
 * A calendar date written YYYY-MM-DD that exists: `isoDate` of payloads.ts relies on Date.parse,
 * which accepts 2025-02-30 (it rolls over to 2 March), so dates of legal facts are checked by
 * round-tripping instead.
 */
export const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((s) => {
    const t = Date.parse(`${s}T00:00:00.000Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
  }, 'must be a real calendar date');

const draftVersion = z.number().int().min(1).max(100000);

/** The adopted Regulation or model Memorandum an amendment of a memorandum implements. */
export const amendmentBasis = z
  .object({
    document: z.enum(['regulation', 'model_memorandum'], { message: 'must be regulation or model_memorandum' }),
    decisionNumber: text(50),
    // the same schema as the adopting decision's date in 1(c)/1(d), so whatever the parent accepted starts the child
    date: isoDate,
  })
  .strict();

/**
 * A further adoption that affects a memorandum whose 1(e) is already open: its basis is added to
 * that procedure (one open 1(e) per memorandum), naming the adopting 1(c)/1(d) procedure.
 */
export const addBasisPayload = amendmentBasis
  .extend({ procedureId: z.uuid('must be the id of the adopting 1(c) or 1(d) procedure') })
  .strict();

/** Start input of 1(e): what the 1(c)/1(d) procedure emits in effect.openChildren, or a legal officer enters by hand. */
export const memorandumAmendmentInput = z
  .object({
    partner: code,
    memorandumId: z.string().trim().min(1).max(100),
    basis: amendmentBasis.optional().nullable(),
    fromFinding: fromFindingInput.optional(),
  })
  .strict();

export const gapAnalysisPayload = z
  .object({
    findings: text(20000),
    /** Provisions of the memorandum that must change, e.g. `art. 3`. */
    provisions: z.array(text(200)).min(1, 'name at least one provision to amend').max(200),
  })
  .strict();
export const noAmendmentPayload = z.object({ findings: text(20000) }).strict();

/** Approving the protocol in legal review circulates it; whether the silence procedure applies is the definition's rule. */
export const approveAndCirculatePayload = z.object({}).strict();

export const sendToPartnerPayload = z
  .object({
    draftVersion,
    /** Number of the note verbale (or letter) the text was sent with. */
    reference: text(200).optional().nullable(),
  })
  .strict();
export const partnerAcceptedPayload = z.object({ draftVersion, reference: text(200).optional().nullable() }).strict();
export const counterProposalPayload = z.object({ draftVersion, text: text(20000) }).strict();

/**
 * On what authority a person signed: by virtue of office (heads of state or government and
 * ministers of foreign affairs, Vienna Convention on the Law of Treaties art. 7(2)), on an
 * instrument of full powers, or on a decision authorising the signature (the Secretary-General
 * signs for the SCO as a decision of the Council of Heads of State authorises). `reference` names
 * the instrument or the decision: issuer, number, date.
 */
export const FULL_POWERS_KINDS = ['ex_officio', 'instrument', 'decision'] as const;
export const fullPowersPayload = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('ex_officio') }).strict(),
    z.object({ kind: z.literal('instrument'), reference: text(500) }).strict(),
    z.object({ kind: z.literal('decision'), reference: text(500) }).strict(),
  ],
  {
    message:
      'must say on what authority the person signed: kind ex_officio, instrument (with its reference) or decision (with its reference)',
  },
);
export type FullPowers = z.infer<typeof fullPowersPayload>;

/** Who signed, in what capacity, and on what full powers. */
export const signatoryPayload = z
  .object({
    name: text(200),
    /** The capacity in which the person signed, e.g. `Secretary-General of the SCO`, `Minister of Foreign Affairs`. */
    capacity: text(200),
    fullPowers: fullPowersPayload,
  })
  .strict();
export type Signatory = z.infer<typeof signatoryPayload>;

export const signatoriesPayload = z
  .object({
    /** Who signed for the SCO (as a rule the Secretary-General, on the authority of a decision). */
    forSco: signatoryPayload,
    forPartner: signatoryPayload,
  })
  .strict();
export const signedPayload = z
  .object({
    draftVersion,
    date: calendarDate,
    place: text(200),
    signatories: signatoriesPayload,
  })
  .strict();

export const ENTRY_INTO_FORCE_MODES = ['on_signature', 'on_notification'] as const;
export type EntryIntoForceMode = (typeof ENTRY_INTO_FORCE_MODES)[number];
export const notificationPayload = z
  .object({ date: calendarDate, reference: text(200).optional().nullable() })
  .strict();
export const entryIntoForcePayload = z.object({ mode: z.enum(ENTRY_INTO_FORCE_MODES), date: calendarDate }).strict();

/** Start input of 1(f). */
export const interactionPlanInput = z.object({ partner: code, title: text(300).optional() }).strict();

/** One activity of an interaction plan, drawn from directions 2-4 of the roadmap. */
export const activityId = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,40}$/, 'must be 1-40 letters, digits, dots, dashes or underscores');
export const activity = z
  .object({
    id: activityId,
    direction: z.union([z.literal(2), z.literal(3), z.literal(4)], {
      message: 'must be direction 2, 3 or 4 of the roadmap',
    }),
    title: text(500),
    due: calendarDate.optional().nullable(),
  })
  .strict();
export type Activity = z.infer<typeof activity>;

function uniqueBy<T>(items: readonly T[], key: (t: T) => string): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const i of items) (seen.has(key(i)) ? dup : seen).add(key(i));
  return [...dup];
}

export const planDraftPayload = z
  .object({ draftVersion, activities: z.array(activity).min(1, 'a plan needs at least one activity').max(300) })
  .strict()
  .superRefine((v, ctx) => {
    const dup = uniqueBy(v.activities, (a) => a.id);
    if (dup.length)
      ctx.addIssue({
        code: 'custom',
        path: ['activities'],
        message: `activity ids must be unique (repeated: ${dup.join(', ')})`,
      });
  });
export const partnerAgreedPayload = z.object({ draftVersion, remarks: text(5000).optional().nullable() }).strict();
export const partnerCommentsPayload = z.object({ draftVersion, comments: text(20000) }).strict();
export const submitToCoordinatorsPayload = z.object({ draftVersion }).strict();

export const ACTIVITY_STATUSES = ['not_started', 'in_progress', 'done', 'postponed', 'cancelled'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];
/** Statuses that close an activity for the purpose of completing the plan. */
export const CLOSED_STATUSES: readonly ActivityStatus[] = ['done', 'postponed', 'cancelled'];

export const progressReviewPayload = z
  .object({
    statuses: z
      .array(
        z.object({ activityId, status: z.enum(ACTIVITY_STATUSES), note: text(2000).optional().nullable() }).strict(),
      )
      .min(1)
      .max(300),
    summary: text(5000).optional().nullable(),
  })
  .strict()
  .superRefine((v, ctx) => {
    const dup = uniqueBy(v.statuses, (s) => s.activityId);
    if (dup.length)
      ctx.addIssue({
        code: 'custom',
        path: ['statuses'],
        message: `one status per activity (repeated: ${dup.join(', ')})`,
      });
  });
export const completePayload = z.object({ summary: text(20000) }).strict();
