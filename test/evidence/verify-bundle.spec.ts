import { generateKeyPairSync } from 'node:crypto';
import { actors, draftFacts, T0, world } from '../../workflows/kernel/testing';
import { defaultRegistry } from '../../workflows/registry';
import { GENESIS_HASH, eventHash } from '../../src/engine/event-hash';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  parseBundle,
  savedContentHash,
  type BundleEvent,
  type EvidenceBundle,
} from '../../src/record/bundle';
import {
  checkpointSignatureValid,
  serviceKeyFrom,
  serviceKeyFromSeed,
  signCheckpoint,
  type ServiceKey,
} from '../../src/record/checkpoint';
import { awaitingFrom, firstDifference, replay } from '../../src/record/replay';
import { draftContentHash } from '../../src/evidence/signed-statement';
import { formatReport, verifyBundle } from '../../src/record/verify-bundle';

const registry = defaultRegistry();
const DEF = 'model-memorandum-amendment';
const INSTANCE = '0b8f4a52-6f11-4c39-9d43-3f3c4e9f0a11';
const key = serviceKeyFromSeed(Buffer.alloc(32, 7));

const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const content = {
  title: { en: 'Model Memorandum', ru: 'Типовой меморандум', zh: '示范备忘录' },
  number: 1,
  articles: [{ articleId: 'a1', number: '1', text: { ru: 'Статья 1', zh: '第一条', en: 'Article 1' } }],
};

/** A bundle made the way the service makes one: events hashed in a chain, the snapshot they produce, a checkpoint. */
function makeBundle(signWith: ServiceKey = key): EvidenceBundle {
  const specs: { type: string; payload: Record<string, unknown>; actor: typeof actors.officer }[] = [
    { type: '$start', payload: { proposedBy: 'Secretariat', rationale: 'Partner status' }, actor: actors.officer },
    { type: 'START_DRAFTING', payload: {}, actor: actors.officer },
    { type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 1 }, actor: actors.officer },
  ];
  const events: BundleEvent[] = [];
  let prev = GENESIS_HASH;
  specs.forEach((s, i) => {
    const e: BundleEvent = {
      seq: i + 1,
      type: s.type,
      payload: s.payload,
      actor: { id: s.actor.id, role: s.actor.role, memberState: s.actor.memberState, actingFor: s.actor.actingFor },
      definitionVersion: 1,
      stateBefore: i === 0 ? null : events[i - 1].stateAfter,
      stateAfter: '',
      at: at(i),
      prevHash: prev,
      hash: '',
      signature: null,
      world: {
        memberStates: world.memberStates,
        memoranda: world.memoranda,
        bodies: world.bodies,
        draft: draftFacts(1),
      },
    };
    events.push(e);
    e.stateAfter = replay(registry, DEF, events).state ?? '';
    e.hash = eventHash({
      instanceId: INSTANCE,
      seq: e.seq,
      type: e.type,
      payload: e.payload,
      actorId: e.actor.id,
      actorRole: e.actor.role,
      actorMemberState: e.actor.memberState,
      actingFor: e.actor.actingFor,
      at: e.at,
      stateAfter: e.stateAfter,
      prevHash: e.prevHash,
    });
    prev = e.hash;
  });
  const final = replay(registry, DEF, events);
  const head = events[events.length - 1];
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    generatedAt: at(10),
    instance: {
      id: INSTANCE,
      definitionId: DEF,
      definitionVersion: 1,
      subject: 'Partner status',
      state: final.state ?? '',
      status: 'active',
      seq: events.length,
      lastHash: head.hash,
      snapshot: final.snapshot ?? {},
    },
    awaitingAnswers: awaitingFrom(final.snapshot),
    events,
    statements: [],
    comments: [],
    keyRecords: [],
    drafts: [
      {
        number: 1,
        createdAt: at(1),
        authorId: actors.officer.id,
        sha256: draftContentHash(content),
        savedHash: savedContentHash(content.articles),
        content,
      },
    ],
    checkpoints: [
      {
        instanceId: INSTANCE,
        seq: head.seq,
        headHash: head.hash,
        at: at(5),
        reason: 'periodic',
        keyId: signWith.keyId,
        publicKey: signWith.publicKey,
        signature: signCheckpoint(signWith, { instanceId: INSTANCE, seq: head.seq, headHash: head.hash, at: at(5) }),
      },
    ],
  };
}

const copy = (b: EvidenceBundle): EvidenceBundle => JSON.parse(JSON.stringify(b)) as EvidenceBundle;

describe('the offline verifier (pure: no server, no database)', () => {
  it('verifies an untouched bundle: chain, replay, read models, checkpoint and draft text', async () => {
    const b = makeBundle();
    expect(b.instance.state).toBe('legal_review');
    const r = await verifyBundle(b, registry, { trustedServiceKeys: [key.publicKey] });
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({
      ok: true,
      chain: { intact: true },
      replay: { matches: true },
      checkpoints: { ok: true },
    });
    expect(r.drafts).toEqual([{ number: 1, sha256: draftContentHash(content), text: 'matches' }]);
    const text = formatReport(r);
    expect(text).toContain(`Procedure ${INSTANCE} (${DEF} v1), 3 events`);
    expect(text).toContain('Chain: intact');
    expect(text).toMatch(/Checkpoint at event 3 \(.*periodic, key [0-9a-f]{32}\): matches/);
    expect(text).toContain('Result: VERIFIED');
  });

  it("finds an event's payload edited: the chain breaks at that event", async () => {
    const b = copy(makeBundle());
    b.events[1].payload = { note: 'added later' };
    const r = await verifyBundle(b, registry);
    expect(r.chain).toEqual({
      intact: false,
      brokenAt: 2,
      reason: 'the content of event 2 (START_DRAFTING) does not match its hash',
    });
    expect(formatReport(r)).toContain('Chain: BROKEN at event 2');
  });

  it('finds an event removed, in the middle or at the end', async () => {
    const middle = copy(makeBundle());
    middle.events.splice(1, 1);
    expect((await verifyBundle(middle, registry)).chain).toMatchObject({ brokenAt: 2, reason: 'event 2 is missing' });
    const end = copy(makeBundle());
    end.events.pop();
    const r = await verifyBundle(end, registry);
    expect(r.chain.reason).toMatch(/the procedure's head points to event 3, the record ends at event 2/);
    expect(r.checkpoints.problems[0]).toMatch(/it covers event 3, which the record no longer has/);
  });

  it('finds the snapshot edited alone, and a read model that disagrees with it', async () => {
    const b = copy(makeBundle());
    (b.instance.snapshot.context as { draftVersion: number }).draftVersion = 7;
    const r = await verifyBundle(b, registry);
    expect(r.chain.intact).toBe(true);
    expect(r.replay.problems).toEqual([
      'the stored snapshot differs from what the events produce at context.draftVersion: stored 7, the events give 1',
    ]);
    const c = copy(makeBundle());
    c.awaitingAnswers = [{ memberState: 'KZ', question: 'position', round: 1, draftVersion: 1 }];
    expect((await verifyBundle(c, registry)).replay.problems[0]).toMatch(
      /the read model of who owes an answer disagrees/,
    );
  });

  it('finds a chain recomputed after an edit through the checkpoint only', async () => {
    const b = copy(makeBundle());
    const e = b.events[2];
    // the insider edits the event and the facts stored with it, so that the replay still agrees
    e.payload = { draftVersion: 2 };
    e.world = { ...e.world, draft: draftFacts(2) };
    e.hash = eventHash({
      instanceId: INSTANCE,
      seq: e.seq,
      type: e.type,
      payload: e.payload,
      actorId: e.actor.id,
      actorRole: e.actor.role,
      actorMemberState: e.actor.memberState,
      actingFor: e.actor.actingFor,
      at: e.at,
      stateAfter: e.stateAfter,
      prevHash: e.prevHash,
    });
    b.instance.lastHash = e.hash;
    b.instance.snapshot = replay(registry, DEF, b.events).snapshot ?? {};
    const r = await verifyBundle(b, registry);
    expect(r.chain.intact).toBe(true);
    expect(r.replay.matches).toBe(true);
    expect(r.ok).toBe(false);
    expect(r.checkpoints.items[0]).toMatchObject({ signatureValid: true, matches: false });
    expect(r.checkpoints.problems[0]).toMatch(/the record was rewritten after the checkpoint/);
  });

  it('refuses a checkpoint whose signature or key does not hold, and one signed by a key not pinned', async () => {
    const forged = copy(makeBundle());
    forged.checkpoints[0].headHash = 'ab'.repeat(32);
    expect(checkpointSignatureValid(forged.checkpoints[0]).valid).toBe(false);
    expect((await verifyBundle(forged, registry)).checkpoints.problems[0]).toMatch(/its signature is invalid/);
    const other = serviceKeyFrom(generateKeyPairSync('ed25519').privateKey);
    const selfSigned = makeBundle(other);
    expect((await verifyBundle(selfSigned, registry)).ok).toBe(true);
    const pinned = await verifyBundle(selfSigned, registry, { trustedServiceKeys: [key.publicKey] });
    expect(pinned.checkpoints.problems[0]).toMatch(/not one of the service keys given/);
  });

  it('finds a draft text changed after it was saved', async () => {
    const b = copy(makeBundle());
    b.drafts[0].content!.articles[0].text.ru = 'Статья 1 (изменено)';
    b.drafts[0].sha256 = draftContentHash(b.drafts[0].content!);
    const r = await verifyBundle(b, registry);
    expect(r.drafts[0].text).toBe('differs');
    expect(r.problems).toContain(
      'draft version 1: its text is not the text saved as that version (it was changed in the database)',
    );
  });

  it('refuses a file that is not a bundle, naming the fields', () => {
    const result = parseBundle({ format: BUNDLE_FORMAT, version: 2, events: 'none' });
    expect('problems' in result && result.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^version: /), expect.stringMatching(/^events: /)]),
    );
  });

  it('names where two JSON values first differ', () => {
    expect(firstDifference({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] })).toBe(
      'a[1].b: stored "x", the events give "y"',
    );
    expect(firstDifference({ a: 1 }, { a: 1 })).toBeNull();
  });
});
