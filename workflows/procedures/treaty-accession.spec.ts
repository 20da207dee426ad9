import type { SnapshotFrom } from 'xstate';
import { initialTransition, transition } from 'xstate';
import { lastRound } from '../kernel/consensus';
import { acceptedEventTypes, effectsOf, explainRefusal, statePaths } from '../kernel/inspect';
import { actors, eventsOf, explore, MEMBER_STATES, T0, world } from '../kernel/testing';
import { reenteredStates } from '../kernel/xstate-fence';
import type { NotifyEffect, TreatyConsentFacts, World } from '../kernel/types';
import { treatyAccession as def } from './treaty-accession';
import { accessionEvents, type AccessionEvent } from './treaty-accession';

type Snapshot = SnapshotFrom<typeof def.machine>;

const ev = eventsOf(accessionEvents);

const ROAD = 'sco-agreement-road-transport-2014';
const input = (extra: Record<string, unknown> = {}) => ({
  partner: 'TR',
  treatyId: ROAD,
  startedBy: 'officer-1',
  startedAt: T0,
  ...extra,
});
const T_LATER = '2025-04-06T09:00:00.000Z';

/** The world the engine hands a 1(b) event: the treaty's consent facts from its reference data. */
const treatyWorld = (treaty: Partial<TreatyConsentFacts> | null): World => ({
  ...world,
  treaty: treaty && {
    treatyId: ROAD,
    consentGivenBy: 'member_states',
    electorate: MEMBER_STATES,
    knownParties: [],
    ...treaty,
  },
});
/** Art. 23 of the road-transport agreement: consent of the SCO member states. */
const ROAD_WORLD = treatyWorld({});
const proceed = (w: World = ROAD_WORLD) => ev('PROCEED', {}, actors.officer, T0, w);

const confirm = (consentRequired?: boolean) =>
  ev('CONFIRM_ELIGIBILITY', {
    note: 'Art. 23 opens the Agreement to any state after its entry into force',
    source: 'https://base.garant.ru/71167678/74d7c78a3a1e33cef2750a2b7b35d2ed',
    accessionArticle: '23',
    ...(consentRequired === undefined ? {} : { consentRequired }),
  });
const packageSent = (sentOn = '2025-01-06') =>
  ev('PACKAGE_SENT', { sentOn, channel: 'Note verbale through the embassy in Beijing' });
const request = (receivedOn = '2025-01-06', reference = 'Note No. 12/2025') =>
  ev('REQUEST_RECEIVED', { receivedOn, reference });
const deposited = (date = '2025-01-06') => ev('INSTRUMENT_DEPOSITED', { depositary: 'SCO Secretariat', date });

function driver(start = input()) {
  let [s] = initialTransition(def.machine, start);
  return {
    get s() {
      return s;
    },
    get c() {
      return s.context;
    },
    step(e: AccessionEvent) {
      const [n, actions] = transition(def.machine, s, e);
      s = n;
      return effectsOf(actions);
    },
    refusal(e: AccessionEvent) {
      expect(s.can(e)).toBe(false);
      return explainRefusal(def, s, e);
    },
    paths: () => statePaths(s),
  };
}

/** Eligibility confirmed and the package sent: in outreach. */
function inOutreach(consentRequired: boolean) {
  const d = driver();
  d.step(confirm(consentRequired));
  d.step(packageSent());
  expect(d.paths()).toEqual(['outreach']);
  return d;
}

function atRequest(consentRequired: boolean) {
  const d = inOutreach(consentRequired);
  d.step(ev('PARTNER_CONSIDERING', { note: 'The Ministry of Transport is studying the Agreement' }));
  d.step(request());
  expect(d.paths()).toEqual(['request_received']);
  return d;
}

function eventsFor(s: Snapshot) {
  const c = s.context;
  const v = c.draftVersion ?? 1;
  const out: AccessionEvent[] = [
    confirm(true),
    confirm(false),
    packageSent(),
    ev('PARTNER_CONSIDERING', { note: 'Under study' }),
    ev('FOLLOW_UP', { contactedOn: '2025-01-06', note: 'Meeting with the embassy' }),
    request(),
    ev('REVISE_REQUEST', { receivedOn: '2025-01-06', reference: 'Note No. 13/2025' }),
    ev('PARTNER_DECLINED', { reason: 'Not a priority for the government' }),
    proceed(),
    deposited(),
    ev('WITHDRAW', { reason: 'Treaty found closed to non-members' }, actors.manager),
    ev('REMINDER', { deadlineKey: statePaths(s)[0], daysBefore: 14 }, actors.system),
    ev('DEADLINE_PASSED', { deadlineKey: statePaths(s)[0] }, actors.system),
    ev('CLOSE_ROUND', { reason: 'The round cannot reach consensus' }, actors.manager),
    ev('MEMBERSHIP_CHANGED', { reason: 'Membership changed' }, actors.system),
  ];
  const round = lastRound(c.rounds);
  if (round && round.outcome === 'open') {
    const pending = round.electorate.filter((x) => !round.positions[x]);
    if (pending[0]) {
      out.push(ev('POSITION', { draftVersion: v, kind: 'agree' }, actors.approver(pending[0])));
      if (pending.length === 2)
        out.push(
          ev(
            'POSITION',
            { draftVersion: v, kind: 'object', text: 'Reciprocity not ensured' },
            actors.approver(pending[0]),
          ),
        );
    }
  }
  return out;
}

const abstract = (s: Snapshot) => {
  const c = s.context;
  const r = lastRound(c.rounds);
  return [
    c.consentRequired,
    !!c.informationPackage,
    Math.min(c.followUps.length, 1),
    Math.min(c.requests.length, 2),
    Math.min(c.rounds.length, 2),
    r && r.outcome === 'open' ? Object.keys(r.positions).length : -1,
    r && r.outcome === 'open' ? Object.values(r.positions).some((p) => p.kind === 'object') : false,
    r?.outcome,
  ];
};

describe('treaty-accession', () => {
  it('is measure 1(b), filed under its partner and treaty, with every state labelled', () => {
    expect(def.id).toBe('treaty-accession');
    expect(def.measure).toBe('1(b)');
    expect(def.businessKeys({ partner: 'TR', treatyId: ROAD })).toEqual({
      partner: 'TR',
      memorandum: null,
      treaty: ROAD,
      subject: `1b:TR:${ROAD}`,
    });
    for (const node of Object.values(def.machine.root.states)) {
      const meta = node.meta as { label: Record<string, string>; responsible: string };
      expect(meta.label.en && meta.label.ru && meta.label.zh).toBeTruthy();
      expect(meta.responsible).toBeTruthy();
    }
  });

  it('reaches every state and fires every declared transition', () => {
    const x = explore(def, input(), eventsFor, abstract);
    expect(x.unreached).toEqual([]);
    expect(x.unfired).toEqual([]);
    expect([...x.reachedFinals].sort()).toEqual(['acceded', 'declined', 'withdrawn']);
  });

  describe('identification', () => {
    it('records the confirmation with its source and whether the partner holds a memorandum', () => {
      const d = driver();
      d.step(confirm(true));
      expect(d.paths()).toEqual(['outreach']);
      expect(d.c.consentRequired).toBe(true);
      expect(d.c.eligibility).toMatchObject({
        source: 'https://base.garant.ru/71167678/74d7c78a3a1e33cef2750a2b7b35d2ed',
        accessionArticle: '23',
        depositary: null,
        consentRequired: true,
        partnerHoldsMemorandum: true,
        by: 'officer-1',
      });
      const mn = driver(input({ partner: 'MN', consentRequired: false }));
      mn.step(confirm());
      expect(mn.c.eligibility).toMatchObject({ partnerHoldsMemorandum: false, consentRequired: false });
    });

    it('refuses while it is not known whether consent is required, and takes it from the start input', () => {
      const d = driver();
      expect(d.refusal(confirm())).toMatch(
        /^Say whether accession needs the member states' consent \(consentRequired\)/,
      );
      const known = driver(input({ consentRequired: true }));
      known.step(confirm());
      expect(known.c.consentRequired).toBe(true);
      // the officer's confirmation against the text prevails over the start input
      const corrected = driver(input({ consentRequired: true }));
      corrected.step(confirm(false));
      expect(corrected.c.consentRequired).toBe(false);
    });

    it('refuses a member state as the partner', () => {
      const d = driver(input({ partner: 'CN' }));
      expect(d.refusal(confirm(true))).toBe(
        'CN is a member state of the SCO; encouraging accession under 1(b) concerns partners.',
      );
    });
  });

  describe('outreach', () => {
    it('needs the package before the partner can be recorded as considering or requesting', () => {
      const d = driver();
      d.step(confirm(true));
      expect(acceptedEventTypes(def, d.s)).toEqual([
        'DEADLINE_PASSED',
        'PACKAGE_SENT',
        'PARTNER_CONSIDERING',
        'PARTNER_DECLINED',
        'REMINDER',
        'REQUEST_RECEIVED',
        'WITHDRAW',
      ]);
      expect(d.refusal(ev('PARTNER_CONSIDERING', { note: 'x' }))).toBe(
        'Record the information package sent to the partner (PACKAGE_SENT) first.',
      );
      expect(d.refusal(request())).toBe('Record the information package sent to the partner (PACKAGE_SENT) first.');
      expect(d.refusal(packageSent('2025-01-07'))).toBe(
        'The date 2025-01-07 is in the future: record what has happened.',
      );
      d.step(packageSent('2025-01-03'));
      expect(d.c.informationPackage).toMatchObject({
        sentOn: '2025-01-03',
        channel: 'Note verbale through the embassy in Beijing',
        by: 'officer-1',
      });
      expect(d.refusal(packageSent())).toBe(
        'The information package was already sent on 2025-01-03; record further contacts as follow-ups.',
      );
      expect(d.refusal(request('2025-01-02'))).toBe(
        'The request cannot predate the information package (sent on 2025-01-03).',
      );
    });

    it('reminds the officers; when the period ends unanswered the managers are told and follow-ups begin', () => {
      const d = driver();
      d.step(confirm(true));
      const [send] = d.step(
        ev('REMINDER', { deadlineKey: 'outreach', daysBefore: 14 }, actors.system),
      ) as NotifyEffect[];
      expect(send).toMatchObject({ kind: 'reminder', audience: { roles: ['legal_officer'] } });
      expect(send.subject).toMatch(/^Send the information package/);
      // package never sent: escalate and stay
      const [notSent] = d.step(ev('DEADLINE_PASSED', { deadlineKey: 'outreach' }, actors.system)) as NotifyEffect[];
      expect(notSent).toMatchObject({ kind: 'escalation', audience: { roles: ['manager'] } });
      expect(notSent.subject).toMatch(/has not been sent to TR/);
      expect(d.paths()).toEqual(['outreach']);

      const e = inOutreach(true);
      const [waiting] = e.step(
        ev('REMINDER', { deadlineKey: 'outreach', daysBefore: 3 }, actors.system),
      ) as NotifyEffect[];
      expect(waiting.subject).toMatch(/ends in 3 day\(s\); no answer recorded yet/);
      expect(e.refusal(ev('DEADLINE_PASSED', { deadlineKey: 'considering' }, actors.system))).toBe(
        'This deadline (considering) does not belong to the current stage.',
      );
      const [unanswered] = e.step(ev('DEADLINE_PASSED', { deadlineKey: 'outreach' }, actors.system)) as NotifyEffect[];
      expect(unanswered).toMatchObject({ kind: 'escalation', audience: { roles: ['manager'] } });
      expect(unanswered.subject).toMatch(/has not answered .* follow-ups begin/);
      expect(e.paths()).toEqual(['considering']);
    });
  });

  describe('considering', () => {
    it('restarts its 90-day period on every follow-up by re-entering the state', () => {
      const d = inOutreach(true);
      d.step(ev('PARTNER_CONSIDERING', { note: 'Under study by the Ministry of Transport' }));
      expect(d.c.consideration).toEqual({ cycle: 1, since: T0 });
      const followUp = ev(
        'FOLLOW_UP',
        { contactedOn: '2025-04-06', note: 'Call with the embassy' },
        actors.officer,
        T_LATER,
      );
      // the transition is a re-entering self-transition: the engine sees the state exited and entered again
      expect(reenteredStates(def.machine, d.s, followUp)).toEqual(['considering']);
      d.step(followUp);
      expect(d.paths()).toEqual(['considering']);
      expect(d.c.consideration).toEqual({ cycle: 2, since: T_LATER });
      expect(d.c.followUps).toEqual([
        { contactedOn: '2025-04-06', note: 'Call with the embassy', by: 'officer-1', at: T_LATER },
      ]);
      expect(d.refusal(ev('FOLLOW_UP', { contactedOn: '2025-04-07', note: 'x' }, actors.officer, T_LATER))).toBe(
        'The date 2025-04-07 is in the future: record what has happened.',
      );
    });

    it('reminds the officers of the follow-up and escalates to the managers when none was made', () => {
      const d = inOutreach(true);
      d.step(ev('PARTNER_CONSIDERING', { note: 'Under study' }));
      const [reminder] = d.step(
        ev('REMINDER', { deadlineKey: 'considering', daysBefore: 14 }, actors.system),
      ) as NotifyEffect[];
      expect(reminder).toMatchObject({ kind: 'reminder', audience: { roles: ['legal_officer'] } });
      expect(reminder.subject).toMatch(/follow-up with TR .* due in 14 day/);
      const [escalation] = d.step(
        ev('DEADLINE_PASSED', { deadlineKey: 'considering' }, actors.system),
      ) as NotifyEffect[];
      expect(escalation).toMatchObject({
        kind: 'escalation',
        audience: { roles: ['manager'] },
        data: { partner: 'TR', treatyId: ROAD, since: T0, followUps: 0 },
      });
      expect(d.paths()).toEqual(['considering']);
      expect(d.refusal(ev('REMINDER', { deadlineKey: 'outreach', daysBefore: 3 }, actors.system))).toMatch(
        /does not belong to the current stage/,
      );
    });

    it('ends as declined with the reason', () => {
      const d = inOutreach(true);
      d.step(ev('PARTNER_CONSIDERING', { note: 'Under study' }));
      d.step(ev('PARTNER_DECLINED', { reason: 'The partner prefers bilateral agreements' }));
      expect(d.paths()).toEqual(['declined']);
      expect(def.output!(d.c, 'declined')).toMatchObject({
        finalState: 'declined',
        decline: { reason: 'The partner prefers bilateral agreements', by: 'officer-1' },
        deposit: null,
      });
    });
  });

  describe("consent of the treaty's Parties", () => {
    it('is skipped when the treaty does not require it', () => {
      const d = atRequest(false);
      d.step(proceed());
      expect(d.paths()).toEqual(['deposit']);
      expect(d.c.rounds).toEqual([]);
    });

    it('is asked when required; one objection returns the request, which must be revised before asking again', () => {
      const d = atRequest(true);
      expect(d.c.draftVersion).toBe(1);
      d.step(proceed());
      expect(d.paths()).toEqual(['member_consent']);
      expect(lastRound(d.c.rounds)).toMatchObject({
        stage: 'member_consent',
        draftVersion: 1,
        silenceProcedure: false,
        electorate: [...MEMBER_STATES].sort(),
      });

      d.step(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver('RU')));
      const [reminder] = d.step(
        ev('REMINDER', { deadlineKey: 'member_consent', daysBefore: 3 }, actors.system),
      ) as NotifyEffect[];
      expect(reminder).toMatchObject({
        kind: 'reminder',
        audience: { memberStates: MEMBER_STATES.filter((s) => s !== 'RU') },
      });
      const [escalation] = d.step(
        ev('DEADLINE_PASSED', { deadlineKey: 'member_consent' }, actors.system),
      ) as NotifyEffect[];
      expect(escalation).toMatchObject({
        kind: 'escalation',
        audience: { roles: ['manager'] },
        data: { pending: MEMBER_STATES.filter((s) => s !== 'RU') },
      });
      expect(d.paths()).toEqual(['member_consent']);

      expect(d.refusal(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver('RU')))).toMatch(
        /RU already holds this position/,
      );
      expect(d.refusal(ev('POSITION', { draftVersion: 1, kind: 'agree' }, { ...actors.officer }))).toBe(
        'Only a member-state approver can record a position.',
      );
      d.step(
        ev(
          'POSITION',
          { draftVersion: 1, kind: 'object', text: 'Reciprocity for our carriers not ensured' },
          actors.approver('IN'),
        ),
      );
      expect(d.paths()).toEqual(['request_received']);
      expect(d.refusal(proceed())).toBe(
        'The request (version 1) was objected to by IN ("Reciprocity for our carriers not ensured"): record the partner\'s revised request first.',
      );

      d.step(ev('REVISE_REQUEST', { receivedOn: '2025-01-06', reference: 'Note No. 20/2025' }));
      expect(d.c.requests.map((r) => [r.version, r.reference])).toEqual([
        [1, 'Note No. 12/2025'],
        [2, 'Note No. 20/2025'],
      ]);
      d.step(proceed());
      expect(lastRound(d.c.rounds)).toMatchObject({ number: 2, draftVersion: 2, outcome: 'open' });
      for (const st of MEMBER_STATES)
        d.step(
          ev(
            'POSITION',
            {
              draftVersion: 2,
              kind: st === 'KZ' ? 'agree_with_reservation' : 'agree',
              text: st === 'KZ' ? 'Subject to art. 5 permits' : null,
            },
            actors.approver(st),
          ),
        );
      expect(d.paths()).toEqual(['deposit']);
      expect(d.c.rounds.map((r) => r.outcome)).toEqual(['objected', 'consensus']);
    });

    it("consent belongs to the treaty's Parties: the round's electorate is the Parties of that day, not every member state", () => {
      const d = atRequest(true);
      d.step(proceed(treatyWorld({ consentGivenBy: 'parties', electorate: ['CN', 'KZ', 'RU'] })));
      expect(d.paths()).toEqual(['member_consent']);
      expect(lastRound(d.c.rounds)?.electorate).toEqual(['CN', 'KZ', 'RU']);
      expect(d.c.consent).toEqual({ givenBy: 'parties', electorate: ['CN', 'KZ', 'RU'], at: T0 });
      // a member state that is not a Party is not asked
      expect(d.refusal(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver('IN')))).toMatch(
        /IN is not among the member states of this round \(CN, KZ, RU\)/,
      );
      const [reminder] = d.step(
        ev('REMINDER', { deadlineKey: 'member_consent', daysBefore: 3 }, actors.system),
      ) as NotifyEffect[];
      expect(reminder.audience).toEqual({ memberStates: ['CN', 'KZ', 'RU'] });
      for (const st of ['CN', 'KZ', 'RU'])
        d.step(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver(st)));
      expect(d.paths()).toEqual(['deposit']);
      expect(def.output!(d.c, 'acceded')).toMatchObject({ consent: { givenBy: 'parties' } });
    });

    it('where the final clause names the SCO member states, they are the electorate', () => {
      const d = atRequest(true);
      d.step(proceed(treatyWorld({ consentGivenBy: 'member_states', electorate: ['BY', 'CN'] })));
      expect(lastRound(d.c.rounds)?.electorate).toEqual(['BY', 'CN']);
      expect(d.c.consent?.givenBy).toBe('member_states');
    });

    it('where the reference data do not know the Parties, the stage refuses to open and says what to record first', () => {
      const d = atRequest(true);
      expect(d.refusal(proceed(treatyWorld({ consentGivenBy: 'parties', electorate: null })))).toBe(
        `Consent to accession belongs to the Parties of treaty ${ROAD}, and the reference data do not know them. Record the Parties (each with the date it became party and a source, the list marked complete) as a new version of the treaty's reference data first, or record there that its final clause gives consent to the SCO member states.`,
      );
      expect(
        d.refusal(proceed(treatyWorld({ consentGivenBy: 'parties', electorate: null, knownParties: ['RU'] }))),
      ).toMatch(/do not know them \(recorded so far, not as a complete list: RU\)\. Record the Parties/);
      expect(d.refusal(proceed(treatyWorld(null)))).toMatch(
        /Treaty sco-agreement-road-transport-2014 is not in the reference data valid today/,
      );
      expect(d.refusal(proceed(world))).toMatch(/is not in the reference data valid today/);
      expect(d.paths()).toEqual(['request_received']);
      expect(d.c.rounds).toEqual([]);
    });

    it('a withdrawal supersedes the open round', () => {
      const d = atRequest(true);
      d.step(proceed());
      d.step(ev('WITHDRAW', { reason: 'Partner asked to pause' }, actors.manager));
      expect(d.paths()).toEqual(['withdrawn']);
      expect(lastRound(d.c.rounds)?.outcome).toBe('superseded');
    });
  });

  describe('deposit', () => {
    it('records the depositary and a date that is neither in the future nor before the request', () => {
      const d = atRequest(false);
      d.step(proceed());
      expect(d.refusal(deposited('2025-01-07'))).toBe(
        'The date 2025-01-07 is in the future: record what has happened.',
      );
      expect(d.refusal(deposited('2025-01-05'))).toBe(
        'The deposit cannot predate the request for accession (received on 2025-01-06).',
      );
      d.step(deposited());
      expect(d.paths()).toEqual(['acceded']);
      expect(d.s.status).toBe('done');
      expect(def.output!(d.c, 'acceded')).toMatchObject({
        finalState: 'acceded',
        partner: 'TR',
        treatyId: ROAD,
        consentRequired: false,
        deposit: { depositary: 'SCO Secretariat', date: '2025-01-06', entryIntoForce: null },
      });
    });
  });

  it('validates its payloads', () => {
    expect(def.input.safeParse({ partner: 'TR', treatyId: ROAD }).success).toBe(true);
    expect(def.input.safeParse({ partner: 'Turkey', treatyId: ROAD }).success).toBe(false);
    expect(def.input.safeParse({ partner: 'TR', treatyId: 'Road Transport' }).success).toBe(false);
    expect(def.events.CONFIRM_ELIGIBILITY.payload.safeParse({ note: 'n' }).success).toBe(false);
    expect(def.events.PACKAGE_SENT.payload.safeParse({ sentOn: '06.01.2025', channel: 'c' }).success).toBe(false);
    expect(
      def.events.INSTRUMENT_DEPOSITED.payload.safeParse({
        depositary: 'SCO Secretariat',
        date: '2025-01-06',
        entryIntoForce: '2025-02-05',
      }).success,
    ).toBe(true);
  });
});
