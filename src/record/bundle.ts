/**
 * The evidence bundle: one JSON file with everything needed to check a procedure's record without
 * our server or database (docs/evidence.md, "Evidence bundle and offline verifier"). This module
 * is the schema (zod, so a hand-edited or truncated file is refused with a sentence naming the
 * field) and the types; it is pure, shared by the service that writes bundles and the verifier.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const BUNDLE_FORMAT = 'amendflow.evidence-bundle';
export const BUNDLE_VERSION = 1;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256 in hex (64 digits)' });
const isoTime = z.string().min(1);
const json = z.unknown();

const actor = z.object({
  id: z.string(),
  role: z.string(),
  memberState: z.string().nullable(),
  actingFor: z.string().nullable(),
});

/**
 * The facts the engine handed the machine with an event, as stored with it: the member states and
 * memoranda at that moment, and where the event needed them the bodies, the draft's versions and
 * authors, the treaty's Parties (workflows/kernel/types.ts, `World`). Events recorded before the
 * facts were kept carry the member states and memoranda of the versioned reference data.
 */
const world = z
  .object({
    memberStates: z.array(z.string()),
    memoranda: z.array(z.object({ partner: z.string(), memorandumId: z.string() })),
    bodies: z
      .array(z.object({ id: z.string(), name: z.string().nullable(), adopts: z.array(z.string()).nullable() }))
      .optional(),
    draft: z.unknown().optional(),
  })
  .catchall(z.unknown());

const event = z.object({
  seq: z.number().int().min(1),
  type: z.string(),
  payload: json,
  actor,
  definitionVersion: z.number().int().min(1),
  stateBefore: z.string().nullable(),
  stateAfter: z.string(),
  at: isoTime,
  prevHash: hex64,
  hash: hex64,
  /** The answer's signed statement as stored with the event (signed-statement.ts, `StoredSignature`), or null. */
  signature: json.nullable().optional(),
  world,
});

const draftVersion = z.object({
  number: z.number().int().min(1),
  createdAt: isoTime,
  authorId: z.string(),
  /** SHA-256 of the version's full content (signed-statement.ts, `draftContentHash`): what answers are signed over. */
  sha256: hex64,
  /** The hash recorded when the version was saved (`draft_version.content_hash`, see `savedContentHash`). */
  savedHash: hex64,
  /** The full content, with `?texts=true`: the verifier recomputes `sha256` from it. */
  content: z
    .object({
      title: z.object({ en: z.string(), ru: z.string(), zh: z.string() }),
      number: z.number().int(),
      articles: z.array(
        z.object({
          articleId: z.string(),
          number: z.string(),
          text: z.object({ ru: z.string(), zh: z.string(), en: z.string() }),
        }),
      ),
    })
    .nullable(),
});

const checkpoint = z.object({
  instanceId: z.string(),
  seq: z.number().int().min(1),
  headHash: hex64,
  at: isoTime,
  reason: z.enum(['periodic', 'closed']),
  keyId: z.string(),
  /** The service's Ed25519 public key, raw 32 bytes, base64url. */
  publicKey: z.string(),
  /** Ed25519 signature over the canonical checkpoint statement (checkpoint.ts), base64url. */
  signature: z.string(),
});

/** A row of `signing_key_record` (signed-statement.ts, `KeyRecord`). */
const keyRecord = z.object({
  id: z.string(),
  keyId: z.string(),
  userId: z.string(),
  action: z.enum(['register', 'rotate', 'revoke', 'confirm']),
  key: json,
  label: z.string().nullable(),
  replaces: z.string().nullable(),
  reason: z.string().nullable(),
  by: z.string(),
  byRole: z.string(),
  at: isoTime,
  statement: json,
  endorsement: json.nullable(),
  confirms: z.string().nullable(),
});

/** A member state's comment on a draft version, signed like an answer (its statement is in `signed`). */
const signedComment = z.object({
  id: z.string(),
  versionNumber: z.number().int().min(1),
  articleId: z.string().nullable(),
  authorId: z.string(),
  memberState: z.string().nullable(),
  actingFor: z.string().nullable(),
  text: z.string(),
  createdAt: isoTime,
  signed: json,
});

export const bundleSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  generatedAt: isoTime,
  instance: z.object({
    id: z.string(),
    definitionId: z.string(),
    definitionVersion: z.number().int().min(1),
    subject: z.string(),
    state: z.string(),
    status: z.enum(['active', 'done']),
    seq: z.number().int().min(0),
    lastHash: z.string(),
    /** The stored XState persisted snapshot the approval matrix and the views are read from. */
    snapshot: z.record(z.string(), json),
  }),
  /** The stored read model of who owes an answer now (the inboxes, "who is holding it up"). */
  awaitingAnswers: z.array(
    z.object({
      memberState: z.string(),
      question: z.string(),
      round: z.number().int(),
      draftVersion: z.number().int(),
    }),
  ),
  events: z.array(event),
  /** Every signed answer of the record: the event's seq and its stored statement, signature and key (also on its event). */
  statements: z.array(z.object({ seq: z.number().int().min(1), signed: json })),
  /** The member states' signed comments on the draft versions. */
  comments: z.array(signedComment),
  /** The key records (registration, rotation, revocation, confirmation) of every signer of the record. */
  keyRecords: z.array(keyRecord),
  drafts: z.array(draftVersion),
  checkpoints: z.array(checkpoint),
});

export type EvidenceBundle = z.infer<typeof bundleSchema>;
export type BundleEvent = EvidenceBundle['events'][number];
export type BundleCheckpoint = EvidenceBundle['checkpoints'][number];
export type BundleWorld = BundleEvent['world'];

/**
 * The hash the documents module records when it saves a version: SHA-256 of the JSON array of
 * `[articleId, number, ru, zh, en]` per article, in order. Recomputing it from the texts shows a
 * text changed in the database after the version was saved.
 */
export function savedContentHash(
  articles: readonly { articleId: string; number: string; text: { ru: string; zh: string; en: string } }[],
): string {
  return createHash('sha256')
    .update(JSON.stringify(articles.map((a) => [a.articleId, a.number, a.text.ru, a.text.zh, a.text.en])))
    .digest('hex');
}

/** Parses a bundle read from a file: the bundle, or the problems with its shape (each naming the field). */
export function parseBundle(value: unknown): { bundle: EvidenceBundle } | { problems: string[] } {
  const parsed = bundleSchema.safeParse(value);
  if (parsed.success) return { bundle: parsed.data };
  return {
    problems: parsed.error.issues
      .slice(0, 20)
      .map((i) => `${i.path.map(String).join('.') || '(the file)'}: ${i.message}`),
  };
}
