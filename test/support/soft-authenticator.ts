/**
 * A software WebAuthn authenticator for tests of pure code: a P-256 credential whose assertions
 * are built byte for byte as an authenticator builds them (authenticatorData, clientDataJSON, an
 * ECDSA signature over authenticatorData ‖ SHA-256(clientDataJSON)). Browser tests use Chromium's
 * virtual authenticator instead.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

export interface SoftCredential {
  credentialId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  rpId: string;
  origin: string;
  assert(challenge: string, opts?: { userVerified?: boolean; origin?: string }): AuthenticationResponseJSON;
  /** A registration response ('none' attestation) for `navigator.credentials.create` options with this challenge. */
  register(challenge: string): RegistrationResponseJSON;
}

export function softCredential(rpId = 'localhost', origin = 'http://localhost'): SoftCredential {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const cose = isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x as string, 'base64url')],
      [-3, Buffer.from(jwk.y as string, 'base64url')],
    ]),
  );
  const credentialId = randomBytes(16).toString('base64url');
  let counter = 0;
  return {
    credentialId,
    publicKey: Buffer.from(cose).toString('base64url'),
    rpId,
    origin,
    register(challenge) {
      const rpIdHash = createHash('sha256').update(rpId).digest();
      const idBytes = Buffer.from(credentialId, 'base64url');
      const idLen = Buffer.alloc(2);
      idLen.writeUInt16BE(idBytes.length);
      const authData = Buffer.concat([
        rpIdHash,
        Buffer.from([0x01 | 0x04 | 0x40]),
        Buffer.alloc(4),
        Buffer.alloc(16),
        idLen,
        idBytes,
        Buffer.from(cose),
      ]);
      const attestationObject = isoCBOR.encode(
        new Map<string, string | Uint8Array | Map<string, string>>([
          ['fmt', 'none'],
          ['attStmt', new Map<string, string>()],
          ['authData', authData],
        ]),
      );
      const clientDataJSON = Buffer.from(
        JSON.stringify({ type: 'webauthn.create', challenge, origin, crossOrigin: false }),
      );
      return {
        id: credentialId,
        rawId: credentialId,
        type: 'public-key',
        clientExtensionResults: {},
        response: {
          clientDataJSON: clientDataJSON.toString('base64url'),
          attestationObject: Buffer.from(attestationObject).toString('base64url'),
          transports: ['internal'],
        },
      };
    },
    assert(challenge, opts = {}) {
      counter += 1;
      return assertion(
        privateKey,
        credentialId,
        rpId,
        opts.origin ?? origin,
        challenge,
        counter,
        opts.userVerified ?? true,
      );
    },
  };
}

function assertion(
  privateKey: KeyObject,
  credentialId: string,
  rpId: string,
  origin: string,
  challenge: string,
  counter: number,
  userVerified: boolean,
): AuthenticationResponseJSON {
  const rpIdHash = createHash('sha256').update(rpId).digest();
  const flags = Buffer.from([0x01 | (userVerified ? 0x04 : 0)]);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter);
  const authData = Buffer.concat([rpIdHash, flags, count]);
  const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge, origin, crossOrigin: false }));
  const signature = sign(
    'sha256',
    Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]),
    privateKey,
  );
  return {
    id: credentialId,
    rawId: credentialId,
    type: 'public-key',
    clientExtensionResults: {},
    response: {
      authenticatorData: authData.toString('base64url'),
      clientDataJSON: clientDataJSON.toString('base64url'),
      signature: signature.toString('base64url'),
    },
  };
}
