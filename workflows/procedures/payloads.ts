/** Payload schemas shared by several procedures. Every field a person types is bounded. */
import { z } from 'zod';
import { POSITION_KINDS } from '../kernel/consensus';

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((s) => {
    const t = Date.parse(`${s}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
  }, 'must be a real calendar date');
export const text = (max = 5000) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
export const code = z.string().regex(/^[A-Z]{2,3}$/, 'must be a partner or state code such as TR');

/** The id of a finding in a 1(a) assessment. */
export const findingId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a short id of letters, digits, dot, dash or underscore');

/** The 1(a) finding a 1(c)/(d)/(e) is started from: recorded in its start payload and linked on both sides. */
export const fromFindingInput = z
  .object({
    analysisId: z.uuid('must be the id of a 1(a) implementation analysis'),
    findingId,
  })
  .strict()
  .describe('The finding of a 1(a) analysis this procedure is opened for');

export const draftVersionPayload = z.object({ draftVersion: z.number().int().min(1).max(100000) }).strict();
export const reasonPayload = z.object({ reason: text(2000) }).strict();
/** A version put to the member states for approval; `consolidation` marks one they have not seen in circulation. */
export const approvalSubmissionPayload = z
  .object({
    draftVersion: z.number().int().min(1).max(100000),
    consolidation: z
      .boolean()
      .optional()
      .describe(
        'The version consolidates the member states’ comments and was not circulated itself (it must have been reviewed)',
      ),
  })
  .strict();
export const commentResponsePayload = z
  .object({ draftVersion: z.number().int().min(1), comments: z.string().trim().max(20000).optional().nullable() })
  .strict();
export const positionPayload = z
  .object({
    draftVersion: z.number().int().min(1),
    kind: z.enum(POSITION_KINDS),
    text: z.string().trim().max(5000).optional().nullable(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind !== 'agree' && !(v.text ?? '').trim())
      ctx.addIssue({
        code: 'custom',
        path: ['text'],
        message: v.kind === 'object' ? 'an objection needs a reason' : 'a reservation needs its text',
      });
  });
/** A body of the Organisation by its reference-data code; which bodies may adopt what is data (see the reference bodies). */
export const bodyId = z
  .string()
  .regex(
    /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
    'must be the code of a body in the reference data, such as chs (see /reference/bodies)',
  )
  .max(64, 'must be the code of a body in the reference data, such as chs (see /reference/bodies)');
export const submitAdoptionPayload = z.object({ body: bodyId }).strict();
export const adoptionPayload = z
  .object({
    decisionNumber: text(50),
    date: isoDate,
    affectedPartners: z.array(code).max(100).optional(),
  })
  .strict();
export const deadlinePayload = z.object({ deadlineKey: z.string().min(1).max(200) }).strict();
export const reminderPayload = z
  .object({ deadlineKey: z.string().min(1).max(200), daysBefore: z.number().min(0).max(3650) })
  .strict();
export const childDonePayload = z
  .object({
    childId: z.string().uuid(),
    definitionId: z.string(),
    key: z.string(),
    finalState: z.string(),
    output: z.record(z.string(), z.unknown()).nullable(),
  })
  .strict();

/** The events every procedure accepts: withdrawal with a reason, and the scheduler's deadline events. */
export const procedureEvents = {
  WITHDRAW: {
    description: 'Withdraw the procedure with a reason',
    roles: ['legal_officer', 'manager'],
    payload: reasonPayload,
  },
  REMINDER: {
    description: 'A deadline reminder (delivered by the scheduler)',
    roles: ['system'],
    payload: reminderPayload,
  },
  DEADLINE_PASSED: {
    description: 'A deadline has passed (delivered by the scheduler)',
    roles: ['system'],
    payload: deadlinePayload,
  },
  CLOSE_ROUND: {
    description:
      'Close the open consensus round early, once it cannot reach consensus (a member state objects), with a reason: the draft goes back with every objection and reservation',
    roles: ['manager'],
    payload: reasonPayload,
  },
  MEMBERSHIP_CHANGED: {
    description:
      'The member states changed (reference data): an open consensus round adds a state that joined and removes one that left (delivered by the system)',
    roles: ['system'],
    payload: reasonPayload,
  },
} as const;
