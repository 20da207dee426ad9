/**
 * Payload schemas of 1(a) (analysis of the implementation of the memoranda) and 1(b) (accession
 * of partners to open treaties). Every field a person types is bounded.
 */
import { z } from 'zod';
import { code, findingId, isoDate, text } from './payloads';

/** A user id as the identity module issues it. */
export const userId = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
export const memorandumId = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
/** A due date: a calendar date (due at the end of that day, UTC) or an ISO timestamp with its offset. */
export const dueAt = z.union([isoDate, z.iso.datetime({ offset: true })], {
  message: 'must be a date YYYY-MM-DD or an ISO timestamp',
});

/** The instant a due date means: a bare date is due at the end of that day (UTC). */
export function dueInstant(due: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(due) ? `${due}T23:59:59.999Z` : new Date(due).toISOString();
}

/** A calendar date compared with the day of an event's timestamp (both read as UTC days). */
export function isAfterDayOf(date: string, at: string): boolean {
  return date.slice(0, 10) > at.slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// 1(a)

export const analysisStartInput = z.object({
  title: text(300).describe('Title of the analysis, e.g. "Implementation of the memoranda, 2009-2024"'),
});

const noDuplicates = <T>(items: readonly T[], key: (t: T) => string) => {
  const seen = new Set<string>();
  for (const i of items) {
    const k = key(i);
    if (seen.has(k)) return k;
    seen.add(k);
  }
  return null;
};

export const assignmentPayload = z
  .object({
    memorandumId,
    assignee: userId.describe('User id of the officer who assesses this memorandum'),
    dueAt,
  })
  .strict();

export const scopePayload = z
  .object({
    criteria: z.array(text(1000)).min(1, 'name at least one criterion').max(50),
    memoranda: z
      .array(memorandumId)
      .min(1)
      .max(100)
      .optional()
      .describe('Memoranda to assess; every memorandum in force when omitted'),
    assignments: z
      .array(assignmentPayload)
      .min(1)
      .max(100)
      .describe('One assignee and due date per memorandum in scope'),
  })
  .strict()
  .superRefine((v, ctx) => {
    const dupA = noDuplicates(v.assignments, (a) => a.memorandumId);
    if (dupA) ctx.addIssue({ code: 'custom', path: ['assignments'], message: `${dupA} is assigned twice` });
    const dupM = noDuplicates(v.memoranda ?? [], (m) => m);
    if (dupM) ctx.addIssue({ code: 'custom', path: ['memoranda'], message: `${dupM} is listed twice` });
  });

export const FINDING_SEVERITIES = ['low', 'medium', 'high'] as const;
export const LINKABLE_MEASURES = ['1(c)', '1(d)', '1(e)'] as const;

export const findingPayload = z
  .object({
    id: findingId,
    text: text(5000),
    severity: z.enum(FINDING_SEVERITIES),
    suggestedMeasure: z.enum(LINKABLE_MEASURES).nullable(),
  })
  .strict();

export const assessmentSubmittedPayload = z
  .object({
    memorandumId,
    findings: z
      .array(findingPayload)
      .max(200)
      .describe('What the assessment found; empty when the memorandum is implemented without issue'),
  })
  .strict()
  .superRefine((v, ctx) => {
    const dup = noDuplicates(v.findings, (f) => f.id);
    if (dup) ctx.addIssue({ code: 'custom', path: ['findings'], message: `finding id ${dup} is used twice` });
  });

export const reassignPayload = assignmentPayload;

export const linkFindingPayload = z
  .object({
    findingId: findingPayload.shape.id,
    instanceId: z.uuid('must be the id of a 1(c), 1(d) or 1(e) procedure'),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// 1(b)

export const treatyId = z
  .string()
  .regex(
    /^[a-z0-9]+(-[a-z0-9]+)*$/,
    'must be a treaty id from the reference data, e.g. sco-agreement-road-transport-2014',
  )
  .max(100);

export const accessionStartInput = z.object({
  partner: code.describe('Code of the dialogue partner, e.g. TR'),
  treatyId: treatyId.describe('Id of the treaty in the reference data'),
  consentRequired: z
    .boolean()
    .optional()
    .describe("Whether a non-member's accession needs the member states' consent, where already known"),
});

export const eligibilityPayload = z
  .object({
    note: text(5000).describe('What was checked: the treaty is open to this partner and the partner is eligible'),
    source: text(1000).describe(
      'Where it was confirmed: the authentic text, the depositary copy, a Secretariat record (URL or reference)',
    ),
    consentRequired: z.boolean().optional(),
    accessionArticle: z.string().trim().max(50).nullable().optional(),
    depositary: z.string().trim().max(300).nullable().optional(),
  })
  .strict();

export const packageSentPayload = z
  .object({
    sentOn: isoDate,
    channel: text(300).describe('How it was sent, e.g. note verbale through the embassy in Beijing'),
    note: z.string().trim().max(5000).optional().nullable(),
  })
  .strict();

export const partnerNotePayload = z.object({ note: text(5000) }).strict();

export const followUpPayload = z
  .object({
    contactedOn: isoDate,
    note: text(5000),
  })
  .strict();

export const accessionRequestPayload = z
  .object({
    receivedOn: isoDate,
    reference: text(200).describe("The partner's letter or note, e.g. its number and date"),
    note: z.string().trim().max(5000).optional().nullable(),
  })
  .strict();

export const depositPayload = z
  .object({
    depositary: text(300),
    date: isoDate,
    entryIntoForce: isoDate.nullable().optional(),
  })
  .strict();

export const emptyPayload = z.object({}).strict();
