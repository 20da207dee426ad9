import { generateKeyPairSync, sign } from 'node:crypto';
import {
  buildKeyStatement,
  buildStatement,
  canonicalStatement,
  draftContentHash,
  keyStates,
  parseEd25519PublicKey,
  statementChallenge,
  statementEventMismatches,
  statementHash,
  verifySignedStatement,
  verifyStoredSignature,
  type AnswerStatement,
  type PublicSigningKey,
  type StoredSignature,
} from '../../src/evidence/signed-statement';
import { softCredential } from '../support/soft-authenticator';

const draftSha = draftContentHash({
  title: { en: 'Model Memorandum', ru: 'Типовой меморандум', zh: '备忘录范本' },
  number: 2,
  articles: [{ articleId: 'a1', number: '1', text: { ru: 'Статья', zh: '条', en: 'Article' } }],
});

function statement(over: Partial<AnswerStatement> = {}): AnswerStatement {
  return {
    ...buildStatement({
      procedure: '6f1c0f43-2b7e-4a49-9d5c-1a2b3c4d5e6f',
      definition: { id: 'model-memorandum-amendment', version: 1 },
      question: 'position',
      round: 1,
      draft: { version: 2, sha256: draftSha },
      memberState: 'KZ',
      signer: 'approver.kz',
      actingFor: null,
      kind: 'agree_with_reservation',
      text: '  Article 3 to be read with the Charter.  ',
      at: new Date('2026-03-01T10:00:00Z'),
    }),
    ...over,
  };
}

function ed25519() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const parsed = parseEd25519PublicKey(publicKey.export({ format: 'pem', type: 'spki' }) as string);
  if (!('publicKey' in parsed)) throw new Error(parsed.error);
  const key: PublicSigningKey = { type: 'ed25519', id: 'k1', publicKey: parsed.publicKey };
  return {
    key,
    signOver: (s: AnswerStatement) => sign(null, Buffer.from(canonicalStatement(s)), privateKey).toString('base64url'),
  };
}

describe('signed statements', () => {
  it('canonicalises with RFC 8785 (sorted keys, no spaces) and trims the text', () => {
    const s = statement();
    const c = canonicalStatement(s);
    expect(c.startsWith('{"actingFor":null,"at":"2026-03-01T10:00:00.000Z","definition":{"id"')).toBe(true);
    expect(s.text).toBe('Article 3 to be read with the Charter.');
    expect(canonicalStatement({ ...s })).toBe(c);
    expect(statementHash(s)).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(statementChallenge(s), 'base64url').toString('hex')).toBe(statementHash(s));
  });

  it('a draft content hash changes with any language of any article and with the title', () => {
    const base = {
      title: { en: 'T', ru: 'Т', zh: '题' },
      number: 1,
      articles: [{ articleId: 'a', number: '1', text: { ru: 'р', zh: '中', en: 'e' } }],
    };
    const h = draftContentHash(base);
    expect(draftContentHash({ ...base, title: { ...base.title, zh: '题目' } })).not.toBe(h);
    expect(
      draftContentHash({ ...base, articles: [{ ...base.articles[0], text: { ru: 'р', zh: '中', en: 'e.' } }] }),
    ).not.toBe(h);
    expect(draftContentHash(structuredClone(base))).toBe(h);
  });

  it('an Ed25519 signature over the canonical statement verifies; another key, another statement or a bad signature do not', async () => {
    const a = ed25519();
    const b = ed25519();
    const s = statement();
    const sig = { type: 'ed25519' as const, value: a.signOver(s) };
    expect(await verifySignedStatement({ statement: s, signature: sig, key: a.key })).toEqual({ valid: true });
    expect((await verifySignedStatement({ statement: s, signature: sig, key: b.key })).valid).toBe(false);
    const other = statement({ draft: { version: 2, sha256: '0'.repeat(64) } });
    expect((await verifySignedStatement({ statement: other, signature: sig, key: a.key })).valid).toBe(false);
    expect(
      await verifySignedStatement({ statement: s, signature: { type: 'ed25519', value: 'AAAA' }, key: a.key }),
    ).toEqual({
      valid: false,
      reason: 'an Ed25519 signature has 64 bytes',
    });
  });

  it('a WebAuthn assertion whose challenge is the statement hash verifies; another challenge, origin or credential do not', async () => {
    const cred = softCredential('desk.example.org', 'https://desk.example.org');
    const key: PublicSigningKey = {
      type: 'webauthn',
      id: 'k2',
      credentialId: cred.credentialId,
      publicKey: cred.publicKey,
      rpId: cred.rpId,
      origins: [cred.origin],
    };
    const s = statement();
    const good = { type: 'webauthn' as const, response: cred.assert(statementChallenge(s)) };
    expect(await verifySignedStatement({ statement: s, signature: good, key })).toEqual({ valid: true });
    const stored = { statement: s, statementHash: statementHash(s), signature: good, key };
    expect(await verifyStoredSignature(stored)).toEqual({ valid: true });
    expect((await verifyStoredSignature({ ...stored, statement: statement({ kind: 'object' }) })).valid).toBe(false);
    const wrongChallenge = {
      type: 'webauthn' as const,
      response: cred.assert(statementChallenge(statement({ kind: 'agree' }))),
    };
    expect((await verifySignedStatement({ statement: s, signature: wrongChallenge, key })).valid).toBe(false);
    const wrongOrigin = {
      type: 'webauthn' as const,
      response: cred.assert(statementChallenge(s), { origin: 'https://evil.example' }),
    };
    expect((await verifySignedStatement({ statement: s, signature: wrongOrigin, key })).valid).toBe(false);
    const noUv = { type: 'webauthn' as const, response: cred.assert(statementChallenge(s), { userVerified: false }) };
    expect((await verifySignedStatement({ statement: s, signature: noUv, key })).valid).toBe(false);
    const other = softCredential('desk.example.org', 'https://desk.example.org');
    const otherSig = { type: 'webauthn' as const, response: other.assert(statementChallenge(s)) };
    expect(await verifySignedStatement({ statement: s, signature: otherSig, key })).toEqual({
      valid: false,
      reason: 'the assertion was made with another credential',
    });
  });

  it('reads Ed25519 public keys as PEM, base64 or base64url, and refuses other keys with a reason', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const parsed = parseEd25519PublicKey(pem);
    expect('publicKey' in parsed).toBe(true);
    if (!('publicKey' in parsed)) return;
    expect(parseEd25519PublicKey(Buffer.from(parsed.publicKey, 'base64url').toString('base64'))).toEqual(parsed);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      format: 'pem',
      type: 'spki',
    }) as string;
    expect(parseEd25519PublicKey(rsa)).toEqual({ error: 'the key is rsa, not Ed25519' });
    expect(parseEd25519PublicKey('AAAA')).toEqual({ error: 'an Ed25519 public key has 32 bytes; this one has 3' });
  });

  it('compares an answer statement with the event it was stored with', () => {
    const s = statement();
    const event = {
      instanceId: s.procedure,
      definitionId: s.definition.id,
      definitionVersion: 1,
      type: 'POSITION',
      payload: { draftVersion: 2, kind: 'agree_with_reservation', text: 'Article 3 to be read with the Charter.' },
      actorId: 'approver.kz',
      actorMemberState: 'KZ',
      actingFor: null,
    };
    expect(statementEventMismatches(s, event)).toEqual([]);
    expect(
      statementEventMismatches(s, { ...event, payload: { ...event.payload, kind: 'agree', text: undefined } }),
    ).toEqual(['the statement names another kind of position', 'the statement has another text']);
  });

  it('builds key statements for registration, rotation and revocation', () => {
    const key: PublicSigningKey = { type: 'ed25519', id: 'k1', publicKey: 'x' };
    const k = buildKeyStatement({
      action: 'revoke',
      subject: 'u',
      key,
      reason: ' lost ',
      by: 'admin',
      at: '2026-01-01T00:00:00.000Z',
    });
    expect(k).toMatchObject({ format: 'amendflow.key-statement/1', reason: 'lost', replaces: null });
  });
});

describe('key states from the key records', () => {
  const key = (id: string): PublicSigningKey => ({
    type: 'ed25519',
    id,
    publicKey: Buffer.alloc(32, id.length).toString('base64url'),
  });
  const act = (
    id: string,
    action: 'register' | 'rotate' | 'revoke',
    keyId: string,
    by: string,
    byRole: string,
    at: string,
    replaces: string | null = null,
  ) => ({
    id,
    keyId,
    userId: 'u',
    action,
    key: key(keyId),
    label: null,
    replaces,
    reason: action === 'revoke' ? 'lost' : null,
    by,
    byRole,
    at,
    statement: buildKeyStatement({
      action,
      subject: 'u',
      key: key(keyId),
      replaces,
      reason: action === 'revoke' ? 'lost' : null,
      by,
      at,
    }),
    endorsement: null,
    confirms: null,
  });
  const confirm = (
    id: string,
    confirms: string,
    by: string,
    at: string,
    endorsement: StoredSignature | null = null,
  ) => ({
    ...act(id, 'register', 'x', by, endorsement ? 'approver' : 'admin', at),
    action: 'confirm' as const,
    confirms,
    endorsement,
  });

  it('a registration takes effect with two different administrators, a rotation with the old key, a revocation in order', () => {
    const reg = act('a1', 'register', 'k1', 'u', 'approver', '2026-01-01T00:00:00.000Z');
    const rot = act('a2', 'rotate', 'k2', 'u', 'approver', '2026-02-01T00:00:00.000Z', 'k1');
    const endorsement = {
      statement: rot.statement,
      statementHash: statementHash(rot.statement),
      signature: { type: 'ed25519' as const, value: 'x' },
      key: key('k1'),
    };
    const records = [
      reg,
      confirm('c1', 'a1', 'admin1', '2026-01-02T00:00:00.000Z'),
      confirm('c2', 'a1', 'admin1', '2026-01-02T01:00:00.000Z'),
      confirm('c3', 'a1', 'admin2', '2026-01-03T00:00:00.000Z'),
      rot,
      confirm('c4', 'a2', 'u', '2026-02-01T00:01:00.000Z', endorsement),
    ];
    const { keys, acts } = keyStates(records);
    expect(keys.find((k) => k.id === 'k1')).toMatchObject({
      state: 'revoked',
      activeFrom: '2026-01-03T00:00:00.000Z',
      revokedAt: '2026-02-01T00:01:00.000Z',
      revocationReason: 'rotated',
    });
    expect(keys.find((k) => k.id === 'k2')).toMatchObject({ state: 'active', activeFrom: '2026-02-01T00:01:00.000Z' });
    expect(acts.find((a) => a.id === 'a1')?.confirmedBy).toEqual(['admin1', 'admin2']);
    expect(acts.find((a) => a.id === 'a2')?.endorsedWith).toBe('k1');
    // an endorsement by a key that is not active does not count
    const early = keyStates([reg, rot, confirm('c4', 'a2', 'u', '2026-02-01T00:01:00.000Z', endorsement)]);
    expect(early.keys.map((k) => k.state)).toEqual(['pending', 'pending']);
  });
});
