/**
 * 1(b): encouraging a dialogue partner to accede to an open international treaty of the
 * Organisation. There is one procedure per partner and treaty.
 *
 * Stages (domain.md), with these refinements:
 * - `identification`: a legal officer confirms that the treaty is open to this partner and that the
 *   partner is eligible. The reference data leave most final clauses null ("not confirmed"), so
 *   the confirmation records its note and its source (authentic text, depositary copy, Secretariat
 *   record), with the accession article and depositary where found. The same step settles whether
 *   accession by a non-member needs the member states' consent (for example art. 23 of the 2014
 *   road-transport agreement). It may come with the start input. If it is still unknown, the step
 *   refuses, because the product must not guess it. A member state cannot be the subject.
 * - `outreach`: the information package is sent (date, channel). The stage has 60 days. When the
 *   period ends and the partner has not answered, the managers are told and the procedure moves on
 *   to `considering`, where the follow-ups take over. If the package was never sent, the managers are
 *   told and the procedure stays in outreach.
 * - `considering`: periodic follow-ups. The stage deadline is 90 days and restarts with every
 *   FOLLOW_UP. That event is a self-transition with `reenter: true`, so XState exits and re-enters the
 *   state, runs its entry action (a new consideration cycle in context) and the engine restarts
 *   the state's deadline. When 90 days pass without a follow-up, the managers are told.
 * - The partner may decline from `outreach` or `considering` (reason kept), or send a request.
 * - `request_received`: the partner's request (date, reference) is the version the member states
 *   consent to (`draftVersion`). PROCEED goes to `member_consent` when the treaty requires consent.
 *   Otherwise a guarded transition skips that stage and goes straight to `deposit`.
 * - `member_consent`: a consensus round with no silence procedure, because the treaties ask for
 *   written consent. Consent under a treaty's final clause belongs to that treaty's Parties (or to
 *   whoever the clause names: the SCO member states for the 2014 road-transport agreement), so the
 *   round's electorate comes from the treaty's reference data at the moment the stage opens
 *   (`world.treaty`): the Parties that had become party by that day, or the member states of that
 *   day where the clause names them. Where the data do not know the Parties (no list, or a list
 *   not known to be complete), PROCEED refuses and says what to record first. One objection
 *   returns the request to `request_received` with its reason. Only a revised request (a new
 *   version) can go back for consent.
 * - `deposit` → `acceded`: the depositary and the date of deposit, which can be neither in the future
 *   nor before the request.
 * - Withdrawal with a reason from any open stage (for example when the treaty turns out not to be
 *   open).
 */
import { assertEvent, assign, emit, setup } from 'xstate';
import type { z } from 'zod';
import { openRound, type ConsensusRound } from '../kernel/consensus';
import {
  consensusStage,
  lastObjected,
  objectionsOf,
  withdrawTransition,
  withdrawable,
  type Withdrawal,
} from '../kernel/consensus-stage';
import {
  guardsFrom,
  type EventCatalogue,
  type EventsOf,
  type Refusal,
  type WorkflowDefinition,
} from '../kernel/definition';
import { consensusReached, prerequisitesOf } from '../kernel/migration';
import { deadlineOf, earlyCloseAllowed, positionAllowed, roundConsensus, roundObjected } from '../kernel/rules';
import { isEventOf, meta, notice, type StageArgs } from '../kernel/stage';
import type { WorkflowEffect } from '../kernel/types';
import {
  accessionRequestPayload,
  accessionStartInput,
  depositPayload,
  eligibilityPayload,
  emptyPayload,
  followUpPayload,
  isAfterDayOf,
  packageSentPayload,
  partnerNotePayload,
} from './analysis-payloads';
import { positionPayload, procedureEvents, reasonPayload } from './payloads';

export interface AccessionRequest {
  version: number;
  receivedOn: string;
  reference: string;
  note: string | null;
  by: string;
  at: string;
}

export interface AccessionContext {
  partner: string;
  treatyId: string;
  startedBy: string;
  startedAt: string;
  /** Whether accession needs the member states' consent; null until the start input or the identification settles it. */
  consentRequired: boolean | null;
  eligibility: {
    note: string;
    source: string;
    consentRequired: boolean;
    accessionArticle: string | null;
    depositary: string | null;
    /** Whether the partner held a memorandum in the reference data at the moment of confirmation. */
    partnerHoldsMemorandum: boolean;
    by: string;
    at: string;
  } | null;
  informationPackage: { sentOn: string; channel: string; note: string | null; by: string; at: string } | null;
  /** The partner's answers recorded by officers (acknowledgements while considering). */
  partnerNotes: { note: string; by: string; at: string }[];
  followUps: { contactedOn: string; note: string; by: string; at: string }[];
  /** Restarted on every (re-)entry into `considering`: the 90-day period runs from `since`. */
  consideration: { cycle: number; since: string } | null;
  requests: AccessionRequest[];
  /** The request version the member states are asked to consent to. */
  draftVersion: number | null;
  rounds: ConsensusRound[];
  /** Who was asked for consent in the last round, and on which reference data (absent in older snapshots). */
  consent?: { givenBy: 'parties' | 'member_states'; electorate: string[]; at: string } | null;
  deposit: { depositary: string; date: string; entryIntoForce: string | null; by: string; at: string } | null;
  decline: { reason: string; by: string; at: string } | null;
  withdrawal: Withdrawal | null;
}

const officer = ['legal_officer'] as const;

export const accessionEvents = {
  CONFIRM_ELIGIBILITY: {
    description: 'Confirm that the treaty is open to the partner and the partner is eligible, with the source',
    roles: officer,
    payload: eligibilityPayload,
  },
  PACKAGE_SENT: {
    description: 'Record the information package sent to the partner',
    roles: officer,
    payload: packageSentPayload,
  },
  PARTNER_CONSIDERING: {
    description: 'Record that the partner has acknowledged and is considering accession',
    roles: officer,
    payload: partnerNotePayload,
  },
  FOLLOW_UP: {
    description: 'Record a follow-up contact with the partner (restarts the follow-up period)',
    roles: officer,
    payload: followUpPayload,
  },
  REQUEST_RECEIVED: {
    description: "Record the partner's request for accession",
    roles: officer,
    payload: accessionRequestPayload,
  },
  REVISE_REQUEST: {
    description: "Record the partner's revised request for accession",
    roles: officer,
    payload: accessionRequestPayload,
  },
  PARTNER_DECLINED: {
    description: 'Record that the partner declines to accede, with its reason',
    roles: officer,
    payload: reasonPayload,
  },
  PROCEED: {
    description:
      "Send the request for consent to the treaty's Parties (or the member states its final clause names), or straight to deposit where no consent is needed",
    roles: officer,
    payload: emptyPayload,
  },
  POSITION: {
    description: "Record your member state's consent (agree) or objection to the accession",
    roles: ['approver'],
    payload: positionPayload,
  },
  INSTRUMENT_DEPOSITED: {
    description: 'Record the deposit of the instrument of accession (depositary, date)',
    roles: officer,
    payload: depositPayload,
  },
  ...procedureEvents,
} as const satisfies EventCatalogue;

/** The events the machine receives, derived from its payload catalogue. */
export type AccessionEvent = EventsOf<typeof accessionEvents>;

type Args = StageArgs<AccessionContext, AccessionEvent>;

/** The first refusal of several, so one named guard can state several rules. */
const allOf =
  (...rules: Refusal<AccessionContext, AccessionEvent>[]): Refusal<AccessionContext, AccessionEvent> =>
  (args, params) => {
    for (const r of rules) {
      const why = r(args, params);
      if (why) return why;
    }
    return null;
  };

const DATE_FIELDS = ['sentOn', 'contactedOn', 'receivedOn', 'date'] as const;
const notInFuture: Refusal = ({ event }) => {
  for (const f of DATE_FIELDS) {
    const d = event.payload[f];
    if (typeof d === 'string' && isAfterDayOf(d, event.at))
      return `The date ${d} is in the future: record what has happened.`;
  }
  return null;
};

const packageSent: Refusal<AccessionContext> = ({ context }) =>
  context.informationPackage ? null : 'Record the information package sent to the partner (PACKAGE_SENT) first.';

const latestRequest = (c: AccessionContext) => c.requests[c.requests.length - 1];

const refusals = {
  withdrawable,
  positionAllowed,
  earlyCloseAllowed,
  roundConsensus,
  roundObjected,
  outreachDeadline: deadlineOf('outreach'),
  consideringDeadline: deadlineOf('considering'),
  consentDeadline: deadlineOf('member_consent'),
  /** The outreach period ended with the package sent but no answer: the follow-ups take over. */
  outreachUnanswered: allOf(deadlineOf('outreach'), packageSent),
  eligibilityConfirmable: ({ context, event }: Args) => {
    if (event.world.memberStates.includes(context.partner))
      return `${context.partner} is a member state of the SCO; encouraging accession under 1(b) concerns partners.`;
    const stated = isEventOf(event, ['CONFIRM_ELIGIBILITY']) ? event.payload.consentRequired : undefined;
    if (typeof stated !== 'boolean' && context.consentRequired === null)
      return "Say whether accession needs the member states' consent (consentRequired): the reference data do not confirm the treaty's final clauses.";
    return null;
  },
  packageSendable: allOf(({ context }) => {
    const p = context.informationPackage;
    return p ? `The information package was already sent on ${p.sentOn}; record further contacts as follow-ups.` : null;
  }, notInFuture),
  packageSent,
  requestRecordable: allOf(packageSent, notInFuture, ({ context, event }) => {
    const p = context.informationPackage;
    const d = isEventOf(event, ['REQUEST_RECEIVED', 'REVISE_REQUEST']) ? event.payload.receivedOn : undefined;
    return p && typeof d === 'string' && d < p.sentOn
      ? `The request cannot predate the information package (sent on ${p.sentOn}).`
      : null;
  }),
  followUpRecordable: notInFuture,
  /**
   * PROCEED to consent: consent is required, the request was not objected to as it stands, and the
   * treaty's reference data say whose consent it is (its Parties, or the member states its clause names).
   */
  consentToAsk: ({ context, event }: Args) => {
    if (!context.consentRequired) return "This treaty does not require the member states' consent to accession.";
    const objected = lastObjected(context.rounds);
    if (objected && objected.draftVersion === context.draftVersion)
      return `The request (version ${objected.draftVersion}) was objected to by ${objectionsOf(objected)}: record the partner's revised request first.`;
    const t = event.world.treaty;
    if (!t || t.treatyId !== context.treatyId)
      return `Treaty ${context.treatyId} is not in the reference data valid today, so whose consent is needed is unknown: record the treaty, with its Parties, first.`;
    if (!t.electorate)
      return `Consent to accession belongs to the Parties of treaty ${context.treatyId}, and the reference data do not know them${
        t.knownParties.length ? ` (recorded so far, not as a complete list: ${t.knownParties.join(', ')})` : ''
      }. Record the Parties (each with the date it became party and a source, the list marked complete) as a new version of the treaty's reference data first, or record there that its final clause gives consent to the SCO member states.`;
    return null;
  },
  /** PROCEED straight to deposit: the treaty does not require consent. */
  noConsentNeeded: ({ context }: Args) =>
    context.consentRequired === false
      ? null
      : "This treaty requires the member states' consent before the instrument is deposited.",
  depositRecordable: allOf(notInFuture, ({ context, event }) => {
    const r = latestRequest(context);
    const d = isEventOf(event, ['INSTRUMENT_DEPOSITED']) ? event.payload.date : undefined;
    return r && typeof d === 'string' && d < r.receivedOn
      ? `The deposit cannot predate the request for accession (received on ${r.receivedOn}).`
      : null;
  }),
} satisfies Record<string, Refusal<AccessionContext, AccessionEvent>>;

const consent = consensusStage<AccessionContext, 'consentDeadline', AccessionEvent>({
  stage: 'member_consent',
  deadline: 'consentDeadline',
  reminder: (c, days) =>
    `Your state's consent to the accession of ${c.partner} to ${c.treatyId} is due in ${days} day(s)`,
  overdue: (c, pending) =>
    `Consent to the accession of ${c.partner} to ${c.treatyId} is overdue; waiting for ${pending.join(', ')}`,
});

export const treatyAccessionMachine = setup({
  types: {
    context: {} as AccessionContext,
    events: {} as AccessionEvent,
    input: {} as { partner: string; treatyId: string; consentRequired?: boolean; startedBy: string; startedAt: string },
    emitted: {} as WorkflowEffect,
  },
  guards: guardsFrom<AccessionContext, AccessionEvent, keyof typeof refusals>(refusals),
  actions: {
    recordDecline: assign(({ event }) => {
      assertEvent(event, 'PARTNER_DECLINED');
      return { decline: { reason: event.payload.reason, by: event.actor.id, at: event.at } };
    }),
    recordRequest: assign(({ context, event }) => {
      assertEvent(event, ['REQUEST_RECEIVED', 'REVISE_REQUEST']);
      const version = context.requests.length + 1;
      return {
        requests: [
          ...context.requests,
          {
            version,
            receivedOn: event.payload.receivedOn,
            reference: event.payload.reference,
            note: event.payload.note ?? null,
            by: event.actor.id,
            at: event.at,
          },
        ],
        draftVersion: version,
      };
    }),
  },
}).createMachine({
  id: 'treaty-accession',
  initial: 'identification',
  context: ({ input }) => ({
    partner: input.partner,
    treatyId: input.treatyId,
    startedBy: input.startedBy,
    startedAt: input.startedAt,
    consentRequired: typeof input.consentRequired === 'boolean' ? input.consentRequired : null,
    eligibility: null,
    informationPackage: null,
    partnerNotes: [],
    followUps: [],
    consideration: null,
    requests: [],
    draftVersion: null,
    rounds: [],
    consent: null,
    deposit: null,
    decline: null,
    withdrawal: null,
  }),
  on: { WITHDRAW: withdrawTransition<AccessionContext, AccessionEvent>() },
  states: {
    identification: {
      meta: meta(
        { en: 'Treaty and partner identified', ru: 'Определение договора и партнёра', zh: '确定条约和伙伴' },
        'legal_officer',
      ),
      on: {
        CONFIRM_ELIGIBILITY: {
          guard: 'eligibilityConfirmable',
          target: 'outreach',
          actions: assign(({ context, event }) => {
            const consentRequired: boolean =
              typeof event.payload.consentRequired === 'boolean'
                ? event.payload.consentRequired
                : (context.consentRequired as boolean);
            return {
              consentRequired,
              eligibility: {
                note: event.payload.note,
                source: event.payload.source,
                consentRequired,
                accessionArticle: event.payload.accessionArticle || null,
                depositary: event.payload.depositary || null,
                partnerHoldsMemorandum: event.world.memoranda.some((m) => m.partner === context.partner),
                by: event.actor.id,
                at: event.at,
              },
            };
          }),
        },
      },
    },
    outreach: {
      meta: meta(
        { en: 'Outreach to the partner', ru: 'Информационная работа с партнёром', zh: '向伙伴开展宣介' },
        'legal_officer',
        {
          days: 60,
          remindBefore: [14, 3],
          escalateTo: ['manager'],
        },
      ),
      on: {
        PACKAGE_SENT: {
          guard: 'packageSendable',
          actions: assign(({ event }) => ({
            informationPackage: {
              sentOn: event.payload.sentOn,
              channel: event.payload.channel,
              note: event.payload.note ?? null,
              by: event.actor.id,
              at: event.at,
            },
          })),
        },
        PARTNER_CONSIDERING: {
          guard: 'packageSent',
          target: 'considering',
          actions: assign(({ context, event }) => ({
            partnerNotes: [...context.partnerNotes, { note: event.payload.note, by: event.actor.id, at: event.at }],
          })),
        },
        REQUEST_RECEIVED: { guard: 'requestRecordable', target: 'request_received', actions: 'recordRequest' },
        PARTNER_DECLINED: { target: 'declined', actions: 'recordDecline' },
        REMINDER: {
          guard: 'outreachDeadline',
          actions: emit(({ context, event }) =>
            notice(
              'reminder',
              { roles: ['legal_officer'] },
              context.informationPackage
                ? `The outreach period for ${context.partner} (${context.treatyId}) ends in ${event.payload.daysBefore} day(s); no answer recorded yet`
                : `Send the information package on ${context.treatyId} to ${context.partner}: the outreach period ends in ${event.payload.daysBefore} day(s)`,
            ),
          ),
        },
        DEADLINE_PASSED: [
          {
            guard: 'outreachUnanswered',
            target: 'considering',
            actions: emit(({ context }) =>
              notice(
                'escalation',
                { roles: ['manager'] },
                `${context.partner} has not answered the information package on ${context.treatyId} within the outreach period; follow-ups begin`,
              ),
            ),
          },
          {
            guard: 'outreachDeadline',
            actions: emit(({ context }) =>
              notice(
                'escalation',
                { roles: ['manager'] },
                `The information package on ${context.treatyId} has not been sent to ${context.partner} within the outreach period`,
              ),
            ),
          },
        ],
      },
    },
    considering: {
      meta: meta(
        {
          en: 'Partner considering accession',
          ru: 'Рассмотрение вопроса о присоединении партнёром',
          zh: '伙伴审议加入事宜',
        },
        'legal_officer',
        {
          days: 90,
          remindBefore: [14],
          escalateTo: ['manager'],
        },
      ),
      entry: assign(({ context, event }) => ({
        consideration: { cycle: (context.consideration?.cycle ?? 0) + 1, since: event.at },
      })),
      on: {
        FOLLOW_UP: {
          guard: 'followUpRecordable',
          // Re-entering restarts the state's 90-day deadline from this follow-up.
          target: 'considering',
          reenter: true,
          actions: assign(({ context, event }) => ({
            followUps: [
              ...context.followUps,
              { contactedOn: event.payload.contactedOn, note: event.payload.note, by: event.actor.id, at: event.at },
            ],
          })),
        },
        REQUEST_RECEIVED: { guard: 'requestRecordable', target: 'request_received', actions: 'recordRequest' },
        PARTNER_DECLINED: { target: 'declined', actions: 'recordDecline' },
        REMINDER: {
          guard: 'consideringDeadline',
          actions: emit(({ context, event }) =>
            notice(
              'reminder',
              { roles: ['legal_officer'] },
              `A follow-up with ${context.partner} on ${context.treatyId} is due in ${event.payload.daysBefore} day(s)`,
            ),
          ),
        },
        DEADLINE_PASSED: {
          guard: 'consideringDeadline',
          actions: emit(({ context }) =>
            notice(
              'escalation',
              { roles: ['manager'] },
              `No follow-up with ${context.partner} on ${context.treatyId} since ${context.consideration?.since}`,
              {
                partner: context.partner,
                treatyId: context.treatyId,
                since: context.consideration?.since ?? null,
                followUps: context.followUps.length,
              },
            ),
          ),
        },
      },
    },
    request_received: {
      meta: meta(
        { en: 'Request for accession received', ru: 'Получена просьба о присоединении', zh: '已收到加入请求' },
        'legal_officer',
      ),
      on: {
        PROCEED: [
          { guard: 'consentToAsk', target: 'member_consent' },
          { guard: 'noConsentNeeded', target: 'deposit' },
        ],
        REVISE_REQUEST: { guard: 'requestRecordable', actions: 'recordRequest' },
      },
    },
    member_consent: {
      meta: meta(
        {
          en: 'Consent to the accession (Parties to the treaty)',
          ru: 'Согласие участников договора на присоединение',
          zh: '条约缔约方同意加入',
        },
        'approver',
        {
          days: 60,
          remindBefore: [14, 3],
          escalateTo: ['manager'],
        },
      ),
      // The round's electorate is the treaty's Parties (or the member states its clause names), not
      // every member state: consentToAsk has checked that the reference data know them.
      entry: assign(({ context, event }) => {
        const t = event.world.treaty;
        const electorate = t?.electorate ?? [];
        return {
          rounds: [
            ...context.rounds,
            openRound(context.rounds, {
              stage: 'member_consent',
              draftVersion: context.draftVersion as number,
              electorate,
              silenceProcedure: false,
              at: event.at,
            }),
          ],
          consent: { givenBy: t?.consentGivenBy ?? 'parties', electorate, at: event.at },
        };
      }),
      always: [
        { guard: 'roundObjected', target: 'request_received' },
        { guard: 'roundConsensus', target: 'deposit' },
      ],
      on: consent.on,
    },
    deposit: {
      meta: meta(
        {
          en: 'Deposit of the instrument of accession',
          ru: 'Сдача документа о присоединении на хранение',
          zh: '交存加入书',
        },
        'legal_officer',
      ),
      on: {
        INSTRUMENT_DEPOSITED: {
          guard: 'depositRecordable',
          target: 'acceded',
          actions: assign(({ event }) => ({
            deposit: {
              depositary: event.payload.depositary,
              date: event.payload.date,
              entryIntoForce: event.payload.entryIntoForce ?? null,
              by: event.actor.id,
              at: event.at,
            },
          })),
        },
      },
    },
    acceded: {
      type: 'final',
      meta: meta({ en: 'Acceded', ru: 'Присоединение состоялось', zh: '已加入' }, 'legal_officer'),
    },
    declined: {
      type: 'final',
      meta: meta(
        { en: 'Declined by the partner', ru: 'Партнёр отказался от присоединения', zh: '伙伴拒绝加入' },
        'legal_officer',
      ),
    },
    withdrawn: { type: 'final', meta: meta({ en: 'Withdrawn', ru: 'Отозвано', zh: '已撤回' }, 'legal_officer') },
  },
});

export const treatyAccession: WorkflowDefinition<
  AccessionContext,
  AccessionEvent,
  z.output<typeof accessionStartInput>,
  typeof treatyAccessionMachine
> = {
  id: 'treaty-accession',
  version: 1,
  measure: '1(b)',
  title: {
    en: 'Encouraging a dialogue partner to accede to an open SCO treaty',
    ru: 'Содействие присоединению партнёра по диалогу к открытому международному договору ШОС',
    zh: '鼓励对话伙伴加入上合组织开放性国际条约',
  },
  description:
    "One partner and one treaty: eligibility confirmed with its source, outreach with an information package, the partner's consideration with periodic follow-ups, the request for accession, the member states' consent where the treaty requires it, deposit of the instrument; or the partner declines.",
  machine: treatyAccessionMachine,
  startRoles: officer,
  input: accessionStartInput,
  refusals,
  businessKeys: (input: { partner: string; treatyId: string }) => ({
    partner: input.partner,
    memorandum: null,
    treaty: input.treatyId,
    subject: `1b:${input.partner}:${input.treatyId}`,
  }),
  stagePrerequisite: prerequisitesOf<AccessionContext>({
    member_consent: [
      (c) => (c.consentRequired ? null : "the treaty is not recorded as requiring the member states' consent"),
      (c) => (latestRequest(c) ? null : 'no request for accession has been recorded'),
    ],
    deposit: [(c) => (c.consentRequired === false ? null : consensusReached(c))],
  }),
  output: (context: AccessionContext, finalState: string) => ({
    finalState,
    partner: context.partner,
    treatyId: context.treatyId,
    consentRequired: context.consentRequired,
    consent: context.consent ?? null,
    deposit: context.deposit,
    decline: context.decline,
  }),
  events: accessionEvents,
};
