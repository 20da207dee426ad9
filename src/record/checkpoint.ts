/**
 * The service's checkpoints: the head of a procedure's hash chain signed with the service's own
 * Ed25519 key. Pure (node:crypto and `canonicalize`): the service signs with it, the offline
 * verifier checks with it.
 *
 * The signed bytes are the RFC 8785 canonical JSON of
 * `{ format: "amendflow.checkpoint/1", instanceId, seq, headHash, at, keyId }`.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';

export const CHECKPOINT_FORMAT = 'amendflow.checkpoint/1';

export interface CheckpointStatement {
  instanceId: string;
  seq: number;
  headHash: string;
  at: string;
  keyId: string;
}

/** DER prefixes of Ed25519 keys: the raw 32 bytes follow them. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function checkpointBytes(s: CheckpointStatement): Buffer {
  const text = canonicalize({
    format: CHECKPOINT_FORMAT,
    instanceId: s.instanceId,
    seq: s.seq,
    headHash: s.headHash,
    at: s.at,
    keyId: s.keyId,
  });
  return Buffer.from(text as string, 'utf8');
}

/** The id of a service key: SHA-256 of its raw public key, hex, first 16 bytes. */
export function serviceKeyId(publicKeyRaw: Buffer): string {
  return createHash('sha256').update(publicKeyRaw).digest('hex').slice(0, 32);
}

/** The service's key pair, from a 32-byte seed or a PKCS#8 private key. */
export interface ServiceKey {
  keyId: string;
  /** Raw 32-byte public key, base64url. */
  publicKey: string;
  privateKey: KeyObject;
}

export function serviceKeyFromSeed(seed: Buffer): ServiceKey {
  if (seed.length !== 32) throw new Error('An Ed25519 seed has 32 bytes');
  return serviceKeyFrom(createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }));
}

export function serviceKeyFrom(privateKey: KeyObject): ServiceKey {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error(`The key is ${privateKey.asymmetricKeyType ?? 'of an unknown type'}, not Ed25519`);
  const raw = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  return { keyId: serviceKeyId(raw), publicKey: raw.toString('base64url'), privateKey };
}

export function signCheckpoint(key: ServiceKey, s: Omit<CheckpointStatement, 'keyId'>): string {
  return sign(null, checkpointBytes({ ...s, keyId: key.keyId }), key.privateKey).toString('base64url');
}

/** Whether `signature` is the key's Ed25519 signature over the checkpoint; never throws. */
export function checkpointSignatureValid(s: CheckpointStatement & { publicKey: string; signature: string }): {
  valid: boolean;
  reason?: string;
} {
  try {
    const raw = Buffer.from(s.publicKey, 'base64url');
    if (raw.length !== 32) return { valid: false, reason: 'the service key is not a 32-byte Ed25519 public key' };
    if (serviceKeyId(raw) !== s.keyId) return { valid: false, reason: 'the key id does not belong to the public key' };
    const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    const sig = Buffer.from(s.signature, 'base64url');
    if (sig.length !== 64) return { valid: false, reason: 'an Ed25519 signature has 64 bytes' };
    return verify(null, checkpointBytes(s), key, sig)
      ? { valid: true }
      : { valid: false, reason: 'the signature does not match the checkpoint and the service key' };
  } catch {
    return { valid: false, reason: 'the service key or the signature is malformed' };
  }
}
