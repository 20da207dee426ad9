import { readFileSync } from 'node:fs';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { parseKey32, type Env } from '../config/env';
import { BootError } from '../infra/boot-error';
import { serviceKeyFrom, serviceKeyFromSeed, type ServiceKey } from './checkpoint';

/** The service's checkpoint signing key (token). Its private half lives in the process only. */
export const SERVICE_KEY = Symbol('SERVICE_KEY');

/**
 * Loads the key from EVIDENCE_SIGNING_KEY (a 32-byte seed, hex or base64) or
 * EVIDENCE_SIGNING_KEY_FILE (a PKCS#8 PEM private key, or a seed); production requires one of
 * them (checked with the environment). Elsewhere an unset key is generated for this process only,
 * with a warning: its checkpoints verify, but nobody can pin a key that changes at each start.
 */
export function loadServiceKey(env: Env, log = new Logger('Evidence')): ServiceKey {
  if (env.EVIDENCE_SIGNING_KEY) return serviceKeyFromSeed(parseKey32(env.EVIDENCE_SIGNING_KEY) as Buffer);
  if (env.EVIDENCE_SIGNING_KEY_FILE) {
    let text: string;
    try {
      text = readFileSync(env.EVIDENCE_SIGNING_KEY_FILE, 'utf8').trim();
    } catch (err) {
      throw new BootError(
        `EVIDENCE_SIGNING_KEY_FILE: cannot read ${env.EVIDENCE_SIGNING_KEY_FILE} (${(err as Error).message})`,
      );
    }
    const seed = parseKey32(text);
    if (seed) return serviceKeyFromSeed(seed);
    try {
      return serviceKeyFrom(createPrivateKey({ key: text, format: 'pem' }));
    } catch (err) {
      throw new BootError(
        `EVIDENCE_SIGNING_KEY_FILE: ${env.EVIDENCE_SIGNING_KEY_FILE} holds no Ed25519 private key (PKCS#8 PEM from \`openssl genpkey -algorithm ed25519\`, or a 32-byte seed): ${(err as Error).message}`,
      );
    }
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = serviceKeyFrom(privateKey);
  if (env.NODE_ENV !== 'test')
    log.warn(
      `EVIDENCE_SIGNING_KEY is not set: checkpoints are signed with a key made for this process only (${key.keyId}); set one before production`,
    );
  return key;
}
