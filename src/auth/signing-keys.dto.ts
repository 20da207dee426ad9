import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { isAuthenticationResponse, type StatementSignature } from '../evidence/signed-statement';
import { IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class RegisterEd25519KeyDto {
  @ApiProperty({
    description: 'The Ed25519 public key: PEM (SPKI) text, or the 32 raw bytes in base64 or base64url',
    example: 'MCowBQYDK2VwAyEA…',
  })
  @IsString()
  @MinLength(40)
  @MaxLength(2000)
  publicKey!: string;

  @ApiPropertyOptional({ description: 'A name for the key (e.g. the client that holds it)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  label?: string;

  @ApiPropertyOptional({
    description: 'Rotation: the id of your active key this one replaces (revoked when this takes effect)',
  })
  @IsOptional()
  @IsUUID('all', { message: 'replaces must be a key id (uuid)' })
  replaces?: string;
}

export class RegisterPasskeyDto {
  @ApiProperty({
    description:
      "The browser's registration response (PublicKeyCredential.toJSON() after navigator.credentials.create)",
    type: 'object',
    additionalProperties: true,
  })
  @IsObject({ message: 'response must be the registration response object' })
  response!: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'A name for the passkey (e.g. the device)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  label?: string;
}

export class RevokeKeyDto {
  @ApiProperty({ description: 'Why the key is revoked (kept in the record)', maxLength: 2000 })
  @IsString()
  @MinLength(1, { message: 'reason: say why the key is revoked' })
  @MaxLength(2000)
  reason!: string;
}

/** A signature over a statement the service gave, with the key that made it. */
export class StatementSignatureDto {
  @ApiProperty({ description: 'The id of your active signing key (Ed25519 key or passkey)' })
  @IsUUID('all', { message: 'signature.keyId must be a key id (uuid)' })
  keyId!: string;

  @ApiProperty({ enum: ['ed25519', 'webauthn'] })
  @IsIn(['ed25519', 'webauthn'], { message: 'signature.type must be ed25519 or webauthn' })
  type!: 'ed25519' | 'webauthn';

  @ApiPropertyOptional({ description: 'ed25519: the signature over the canonical statement, base64url (64 bytes)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  value?: string;

  @ApiPropertyOptional({
    description:
      "webauthn: the browser's assertion (PublicKeyCredential.toJSON()) whose challenge is the statement's challenge",
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  response?: Record<string, unknown>;
}

export class EndorseActDto extends StatementSignatureDto {}

/** An answer's signature: the statement's time as the service gave it, and the signature. */
export class AnswerSignatureDto extends StatementSignatureDto {
  @ApiProperty({
    description: 'The `at` of the statement the service gave (ISO 8601)',
    example: '2026-03-01T10:00:00.000Z',
  })
  @IsString()
  @MaxLength(40)
  at!: string;
}

/** A signature from the request body, in the shape the verifier reads; a missing part is a 400. */
export function statementSignatureOf(dto: StatementSignatureDto): StatementSignature {
  if (dto.type === 'ed25519') {
    if (!dto.value)
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        'signature.value: an Ed25519 signature needs its value (base64url).',
      );
    return { type: 'ed25519', value: dto.value };
  }
  if (!isAuthenticationResponse(dto.response))
    throw new DomainException(
      ErrorCode.INVALID_PAYLOAD,
      "signature.response: a WebAuthn signature needs the browser's assertion (id, rawId, type, response.clientDataJSON, authenticatorData, signature).",
    );
  return { type: 'webauthn', response: dto.response };
}
