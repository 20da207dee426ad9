/**
 * The verifier's core: checks an evidence bundle with no server and no database. The service's
 * `GET /instances/:id/verify` builds the bundle from its database and runs this same function;
 * `npx amendflow verify <bundle.json>` runs it on a file. Pure: node:crypto, `canonicalize`, the
 * WebAuthn verification library (through signed-statement.ts) and the machines of `workflows/`.
 *
 * Checks, each reported on its own:
 * - chain: every event's hash covers its content and the previous hash; no event missing;
 * - replay: the events, replayed through the machine, lead to each recorded stage and to the
 *   stored snapshot (the approval matrix is read from it); the stored read model of who owes an
 *   answer agrees with it;
 * - checkpoints: each is signed by the service key it names (and, when keys are pinned, by one of
 *   them), and names the hash the record has at that event;
 * - answers: each signed statement verifies with its key, agrees with its event, names the SHA-256
 *   the bundle gives for its draft version, and its key was registered to its signer and not
 *   revoked before the answer;
 * - drafts: with the texts included, each version's SHA-256 is recomputed from them.
 */
import type { DefinitionRegistry } from '../../workflows/registry';
import { GENESIS_HASH, eventHash } from '../engine/event-hash';
import { savedContentHash, type EvidenceBundle } from './bundle';
import { checkpointSignatureValid } from './checkpoint';
import { awaitingFrom, firstDifference, replay } from './replay';
import {
  ANSWER_STATEMENT_FORMAT,
  COMMENT_STATEMENT_FORMAT,
  draftContentHash,
  keyStates,
  noDraftTextHash,
  statementEventMismatches,
  verifyStoredSignature,
  type AnswerStatement,
  type CommentStatement,
  type KeyRecord,
  type SigningKeyState,
  type StoredSignature,
} from '../evidence/signed-statement';

export interface AnswerCheck {
  seq: number;
  type: string;
  memberState: string | null;
  signer: string;
  actingFor: string | null;
  kind: string | null;
  draftVersion: number | null;
  /** The SHA-256 of the draft text the answer concerns (from the statement when signed). */
  textHash: string | null;
  signature: 'valid' | 'invalid' | 'unsigned';
  problems: string[];
}

export interface CheckpointCheck {
  seq: number;
  at: string;
  reason: string;
  keyId: string;
  signatureValid: boolean;
  /** The record's event at `seq` has the hash the checkpoint signed. */
  matches: boolean;
  /** Pinned keys given: whether the key is one of them; null when none were given. */
  trusted: boolean | null;
  problem: string | null;
}

export interface VerificationReport {
  ok: boolean;
  instanceId: string;
  definition: { id: string; version: number };
  events: number;
  chain: { intact: boolean; brokenAt: number | null; reason: string | null };
  replay: { matches: boolean; problems: string[] };
  checkpoints: { ok: boolean; items: CheckpointCheck[]; problems: string[] };
  answers: AnswerCheck[];
  keyRecords: { count: number; problems: string[] };
  comments: { count: number; problems: string[] };
  drafts: { number: number; sha256: string; text: 'matches' | 'differs' | 'not included' }[];
  /** Every failure, one sentence each (empty when ok). */
  problems: string[];
}

export interface VerifyOptions {
  /** Service public keys (raw, base64url) the checkpoints must be signed with; empty: any key the checkpoint names. */
  trustedServiceKeys?: readonly string[];
}

const ANSWER_EVENTS = new Set(['POSITION', 'RESPOND']);

/** The statement hash a signed answer's event hash covers (null for an unsigned event). */
function statementHashOf(signature: unknown): string | null {
  const h = (signature as { statementHash?: unknown } | null | undefined)?.statementHash;
  return typeof h === 'string' ? h : null;
}

function chainOf(bundle: EvidenceBundle): VerificationReport['chain'] {
  let prev = GENESIS_HASH;
  let expected = 1;
  for (const e of bundle.events) {
    const broken = (reason: string) => ({ intact: false, brokenAt: expected, reason });
    if (e.seq !== expected) return broken(`event ${expected} is missing`);
    if (e.prevHash !== prev) return broken(`event ${e.seq} does not point to the hash of event ${e.seq - 1}`);
    const hash = eventHash({
      instanceId: bundle.instance.id,
      seq: e.seq,
      type: e.type,
      payload: e.payload,
      actorId: e.actor.id,
      actorRole: e.actor.role,
      actorMemberState: e.actor.memberState,
      actingFor: e.actor.actingFor,
      at: new Date(e.at).toISOString(),
      stateAfter: e.stateAfter,
      prevHash: e.prevHash,
      statementHash: statementHashOf(e.signature),
    });
    if (hash !== e.hash) return broken(`the content of event ${e.seq} (${e.type}) does not match its hash`);
    prev = e.hash;
    expected++;
  }
  if (bundle.instance.lastHash !== prev || bundle.instance.seq !== expected - 1)
    return {
      intact: false,
      brokenAt: expected,
      reason: `the procedure's head points to event ${bundle.instance.seq}, the record ends at event ${expected - 1} (an event was removed or added)`,
    };
  return { intact: true, brokenAt: null, reason: null };
}

function checkpointsOf(bundle: EvidenceBundle, options: VerifyOptions): VerificationReport['checkpoints'] {
  const pinned = options.trustedServiceKeys?.length ? new Set(options.trustedServiceKeys) : null;
  const items = bundle.checkpoints.map((c): CheckpointCheck => {
    const sig = checkpointSignatureValid(c);
    const event = bundle.events.find((e) => e.seq === c.seq);
    const trusted = pinned ? pinned.has(c.publicKey) : null;
    const problem =
      c.instanceId !== bundle.instance.id
        ? 'it is a checkpoint of another procedure'
        : !sig.valid
          ? `its signature is invalid: ${sig.reason ?? ''}`
          : trusted === false
            ? `it is signed with key ${c.keyId}, which is not one of the service keys given`
            : !event
              ? `it covers event ${c.seq}, which the record no longer has`
              : event.hash !== c.headHash
                ? `event ${c.seq} has hash ${event.hash.slice(0, 16)}..., the service signed ${c.headHash.slice(0, 16)}... (the record was rewritten after the checkpoint)`
                : null;
    return {
      seq: c.seq,
      at: c.at,
      reason: c.reason,
      keyId: c.keyId,
      signatureValid: sig.valid,
      matches: !!event && event.hash === c.headHash,
      trusted,
      problem,
    };
  });
  const problems = items.filter((i) => i.problem).map((i) => `checkpoint at event ${i.seq} (${i.at}): ${i.problem}`);
  return { ok: problems.length === 0, items, problems };
}

function isAnswerStatement(s: unknown): s is AnswerStatement {
  return typeof s === 'object' && s !== null && (s as { format?: unknown }).format === ANSWER_STATEMENT_FORMAT;
}

function isStoredSignature(v: unknown): v is StoredSignature {
  const s = v as Partial<StoredSignature> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.statement === 'object' &&
    typeof s.statementHash === 'string' &&
    typeof s.signature === 'object' &&
    typeof s.key === 'object'
  );
}

async function answersOf(bundle: EvidenceBundle, keys: readonly SigningKeyState[]): Promise<AnswerCheck[]> {
  const drafts = new Map(bundle.drafts.map((d) => [d.number, d]));
  const out: AnswerCheck[] = [];
  for (const e of bundle.events) {
    if (!ANSWER_EVENTS.has(e.type)) continue;
    const payload = (e.payload ?? {}) as Record<string, unknown>;
    const draftVersion = typeof payload.draftVersion === 'number' ? payload.draftVersion : null;
    const kind = typeof payload.kind === 'string' ? payload.kind : e.type === 'RESPOND' ? 'comments' : null;
    const check: AnswerCheck = {
      seq: e.seq,
      type: e.type,
      memberState: e.actor.memberState,
      signer: e.actor.id,
      actingFor: e.actor.actingFor,
      kind,
      draftVersion,
      textHash: draftVersion !== null ? (drafts.get(draftVersion)?.sha256 ?? null) : null,
      signature: 'unsigned',
      problems: [],
    };
    out.push(check);
    const stored = e.signature ?? null;
    if (stored === null) continue;
    if (!isStoredSignature(stored) || !isAnswerStatement(stored.statement)) {
      check.signature = 'invalid';
      check.problems.push('the stored signature is not a signed answer statement');
      continue;
    }
    const statement = stored.statement;
    check.textHash = statement.draft.sha256;
    const result = await verifyStoredSignature(stored);
    check.signature = result.valid ? 'valid' : 'invalid';
    if (!result.valid) check.problems.push(`the signature is invalid: ${result.reason ?? ''}`);
    for (const m of statementEventMismatches(statement, {
      instanceId: bundle.instance.id,
      definitionId: bundle.instance.definitionId,
      definitionVersion: e.definitionVersion,
      type: e.type,
      payload: e.payload,
      actorId: e.actor.id,
      actorMemberState: e.actor.memberState,
      actingFor: e.actor.actingFor,
    }))
      check.problems.push(m);
    const draft = drafts.get(statement.draft.version);
    if (!draft) {
      // a procedure that keeps no draft text: the statement names the version number only
      if (bundle.drafts.length > 0)
        check.problems.push(`the bundle has no draft version ${statement.draft.version} to compare with`);
      else if (statement.draft.sha256 !== noDraftTextHash(bundle.instance.id, statement.draft.version))
        check.problems.push('the statement names a draft text, but this procedure keeps none');
    } else if (draft.sha256 !== statement.draft.sha256)
      check.problems.push(
        `the statement names text ${statement.draft.sha256.slice(0, 16)}... for version ${draft.number}, whose text is ${draft.sha256.slice(0, 16)}...`,
      );
    const keyProblem = keyStanding(keys, stored, statement.signer, statement.at);
    if (keyProblem) check.problems.push(keyProblem);
  }
  return out;
}

/**
 * The key of a signed statement must be the key registered to its signer under that id (same key
 * material), in effect when the statement was made, and not revoked or replaced before it: the
 * key states read from the records by the same function the service uses (`keyStates`).
 */
function keyStanding(
  keys: readonly SigningKeyState[],
  stored: StoredSignature,
  signer: string,
  at: string,
): string | null {
  const state = keys.find((k) => k.id === stored.key.id);
  if (!state) return `key ${stored.key.id} was never registered`;
  if (state.userId !== signer) return `key ${stored.key.id} is registered to someone other than the signer`;
  if (state.key.publicKey !== stored.key.publicKey || state.key.type !== stored.key.type)
    return `the key stored with the answer is not the key registered as ${stored.key.id}`;
  const t = Date.parse(at);
  if (state.activeFrom === null || Date.parse(state.activeFrom) > t)
    return `key ${stored.key.id} was not yet confirmed when the statement was made`;
  if (state.revokedAt !== null && Date.parse(state.revokedAt) <= t)
    return `key ${stored.key.id} was revoked before the statement was made`;
  return null;
}

/** The member states' signed comments: signature, key, and the comment as stored agrees with what was signed. */
async function commentsOf(bundle: EvidenceBundle, keys: readonly SigningKeyState[]): Promise<string[]> {
  const drafts = new Map(bundle.drafts.map((d) => [d.number, d]));
  const problems: string[] = [];
  for (const c of bundle.comments) {
    const say = (p: string) => problems.push(`signed comment ${c.id} (${c.memberState ?? '?'}): ${p}`);
    if (
      !isStoredSignature(c.signed) ||
      (c.signed.statement as { format?: unknown }).format !== COMMENT_STATEMENT_FORMAT
    ) {
      say('the stored signature is not a signed comment statement');
      continue;
    }
    const stored = c.signed;
    const statement = stored.statement as CommentStatement;
    const result = await verifyStoredSignature(stored);
    if (!result.valid) say(`the signature is invalid: ${result.reason ?? ''}`);
    if (statement.procedure !== bundle.instance.id) say('the statement names another procedure');
    if (statement.signer !== c.authorId) say('the statement is signed by someone other than the author');
    if (statement.memberState !== c.memberState) say('the statement names another member state');
    if (statement.text !== c.text) say('the comment as stored is not the text that was signed');
    if (statement.draft.version !== c.versionNumber) say('the statement names another draft version');
    if (statement.article !== c.articleId) say('the statement names another article');
    const draft = drafts.get(statement.draft.version);
    if (draft && draft.sha256 !== statement.draft.sha256)
      say(
        `the statement names text ${statement.draft.sha256.slice(0, 16)}... for version ${draft.number}, whose text is ${draft.sha256.slice(0, 16)}...`,
      );
    const keyProblem = keyStanding(keys, stored, statement.signer, statement.at);
    if (keyProblem) say(keyProblem);
  }
  return problems;
}

async function keyRecordsOf(bundle: EvidenceBundle): Promise<VerificationReport['keyRecords']> {
  const problems: string[] = [];
  for (const r of bundle.keyRecords) {
    if (r.endorsement === null) continue;
    if (!isStoredSignature(r.endorsement)) {
      problems.push(`key record ${r.id}: the endorsement is not a signed statement`);
      continue;
    }
    const result = await verifyStoredSignature(r.endorsement);
    if (!result.valid)
      problems.push(`key record ${r.id}: the endorsement's signature is invalid: ${result.reason ?? ''}`);
  }
  return { count: bundle.keyRecords.length, problems };
}

function draftsOf(bundle: EvidenceBundle): VerificationReport['drafts'] {
  return bundle.drafts.map((d) => ({
    number: d.number,
    sha256: d.sha256,
    text:
      d.content === null
        ? 'not included'
        : draftContentHash(d.content) === d.sha256 && savedContentHash(d.content.articles) === d.savedHash
          ? 'matches'
          : 'differs',
  }));
}

export async function verifyBundle(
  bundle: EvidenceBundle,
  registry: DefinitionRegistry,
  options: VerifyOptions = {},
): Promise<VerificationReport> {
  const chain = chainOf(bundle);
  const replayed = replay(registry, bundle.instance.definitionId, bundle.events);
  const replayProblems = [...replayed.problems];
  if (replayed.snapshot) {
    const diff = firstDifference(bundle.instance.snapshot, replayed.snapshot);
    if (diff) replayProblems.push(`the stored snapshot differs from what the events produce at ${diff}`);
    if (replayed.state !== bundle.instance.state)
      replayProblems.push(
        `the procedure is recorded in stage "${bundle.instance.state}", the events lead to "${replayed.state}"`,
      );
    const awaiting = [...bundle.awaitingAnswers].sort((a, b) => a.memberState.localeCompare(b.memberState));
    const awaitingDiff = firstDifference(awaiting, awaitingFrom(replayed.snapshot), 'awaiting answers');
    if (awaitingDiff) replayProblems.push(`the read model of who owes an answer disagrees: ${awaitingDiff}`);
  }
  const checkpoints = checkpointsOf(bundle, options);
  // the zod schema reads key material as unknown; keyStates reads the records' order and ids only
  const keys = keyStates(bundle.keyRecords as KeyRecord[]).keys;
  const answers = await answersOf(bundle, keys);
  const commentProblems = await commentsOf(bundle, keys);
  const keyRecords = await keyRecordsOf(bundle);
  const drafts = draftsOf(bundle);
  const problems = [
    ...(chain.intact ? [] : [`chain broken at event ${chain.brokenAt}: ${chain.reason}`]),
    ...replayProblems.map((p) => `replay: ${p}`),
    ...checkpoints.problems,
    ...answers.flatMap((a) => a.problems.map((p) => `answer at event ${a.seq} (${a.memberState ?? '?'}): ${p}`)),
    ...commentProblems,
    ...keyRecords.problems,
    ...drafts
      .filter((d) => d.text === 'differs')
      .map(
        (d) =>
          `draft version ${d.number}: its text is not the text saved as that version (it was changed in the database)`,
      ),
  ];
  return {
    ok: problems.length === 0,
    instanceId: bundle.instance.id,
    definition: { id: bundle.instance.definitionId, version: bundle.instance.definitionVersion },
    events: bundle.events.length,
    chain,
    replay: { matches: replayProblems.length === 0, problems: replayProblems },
    checkpoints,
    answers,
    keyRecords,
    comments: { count: bundle.comments.length, problems: commentProblems },
    drafts,
    problems,
  };
}

/** The report as text a person reads (the command line prints it). */
export function formatReport(r: VerificationReport): string {
  const lines: string[] = [];
  lines.push(`Procedure ${r.instanceId} (${r.definition.id} v${r.definition.version}), ${r.events} events`);
  lines.push(r.chain.intact ? 'Chain: intact' : `Chain: BROKEN at event ${r.chain.brokenAt}: ${r.chain.reason ?? ''}`);
  lines.push(
    r.replay.matches ? 'Replay: the events give the stored stage, snapshot and read models' : 'Replay: DIFFERS',
  );
  for (const p of r.replay.problems) lines.push(`  - ${p}`);
  if (!r.checkpoints.items.length) lines.push('Checkpoints: none covers this record yet');
  for (const c of r.checkpoints.items)
    lines.push(
      `Checkpoint at event ${c.seq} (${c.at}, ${c.reason}, key ${c.keyId}): ${c.problem ? `DOES NOT MATCH: ${c.problem}` : 'matches'}`,
    );
  if (!r.answers.length) lines.push('Answers: none');
  for (const a of r.answers) {
    lines.push(
      `Answer at event ${a.seq}: ${a.memberState ?? '?'} ${a.kind ?? a.type} by ${a.signer}${a.actingFor ? ` for ${a.actingFor}` : ''}, version ${a.draftVersion ?? '?'}, text ${a.textHash ? `${a.textHash.slice(0, 16)}...` : 'unknown'}, signature ${a.signature}`,
    );
    for (const p of a.problems) lines.push(`  - ${p}`);
  }
  lines.push(`Key records: ${r.keyRecords.count}`);
  for (const p of r.keyRecords.problems) lines.push(`  - ${p}`);
  lines.push(
    `Signed comments: ${r.comments.count}${r.comments.problems.length ? ' (PROBLEMS)' : r.comments.count ? ', all valid' : ''}`,
  );
  for (const p of r.comments.problems) lines.push(`  - ${p}`);
  for (const d of r.drafts) lines.push(`Draft version ${d.number}: ${d.sha256.slice(0, 16)}..., text ${d.text}`);
  lines.push(
    r.ok ? 'Result: VERIFIED' : `Result: FAILED (${r.problems.length} problem${r.problems.length === 1 ? '' : 's'})`,
  );
  return `${lines.join('\n')}\n`;
}
