import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ANY_OBJECT } from '../common/openapi';

export class EvidenceBundleQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: "Include every draft version's full text" })
  @IsOptional()
  @Type(() => String)
  @IsIn(['true', 'false'], { message: 'texts must be true or false' })
  texts?: 'true' | 'false';
}

export class CheckpointsQuery {
  @ApiPropertyOptional({ description: 'Only the checkpoints of this procedure' })
  @IsOptional()
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: 'instanceId must be a procedure id',
  })
  instanceId?: string;
  @ApiPropertyOptional({
    type: 'integer',
    description: 'Checkpoints signed after this one (nextAfter of the previous page)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'after must be a whole number' })
  @Min(0, { message: 'after must be 0 or more' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'after is too large' })
  after?: number;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, description: 'Default 100' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 500' })
  @Min(1, { message: 'limit must be a whole number from 1 to 500' })
  @Max(500, { message: 'limit must be a whole number from 1 to 500' })
  limit?: number;
}

export class ServiceKeyDto {
  @ApiProperty({ enum: ['Ed25519'] }) algorithm!: 'Ed25519';
  @ApiProperty({ description: 'SHA-256 of the raw public key, hex, first 16 bytes' }) keyId!: string;
  @ApiProperty({ description: 'The raw 32-byte Ed25519 public key, base64url' }) publicKey!: string;
}

export class CheckpointDto {
  @ApiProperty({ type: 'integer' }) id!: number;
  @ApiProperty() instanceId!: string;
  @ApiProperty({ type: 'integer', description: 'The event whose hash is the signed chain head' }) seq!: number;
  @ApiProperty({ description: 'SHA-256 of that event, hex' }) headHash!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ enum: ['periodic', 'closed'] }) reason!: 'periodic' | 'closed';
  @ApiProperty() keyId!: string;
  @ApiProperty({ description: 'The service key that signed it (raw Ed25519, base64url)' }) publicKey!: string;
  @ApiProperty({ description: 'Ed25519 signature of the canonical checkpoint statement, base64url' })
  signature!: string;
}

export class CheckpointPageDto {
  @ApiProperty({ type: ServiceKeyDto, description: "The service's current checkpoint key" }) serviceKey!: ServiceKeyDto;
  @ApiProperty({ type: CheckpointDto, isArray: true }) items!: CheckpointDto[];
  @ApiProperty({ type: 'integer', nullable: true, description: 'Pass as `after` for the next page; null at the end' })
  nextAfter!: number | null;
}

export class EvidenceBundleDto {
  @ApiProperty({ enum: ['amendflow.evidence-bundle'] }) format!: string;
  @ApiProperty({ type: 'integer', enum: [1], description: 'Version of the bundle schema (docs/evidence.md)' })
  version!: number;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ ...ANY_OBJECT, description: 'The procedure: definition id and version, stage, head, stored snapshot' })
  instance!: Record<string, unknown>;
  @ApiProperty({ ...ANY_OBJECT, isArray: true, description: 'Who owes an answer, as the read model holds it' })
  awaitingAnswers!: Record<string, unknown>[];
  @ApiProperty({ ...ANY_OBJECT, isArray: true, description: 'Every event with its hash, signature and world facts' })
  events!: Record<string, unknown>[];
  @ApiProperty({ ...ANY_OBJECT, isArray: true, description: 'Signed statements with signature and key' })
  statements!: Record<string, unknown>[];
  @ApiProperty({ ...ANY_OBJECT, isArray: true, description: "The signers' key records" })
  keyRecords!: Record<string, unknown>[];
  @ApiProperty({ ...ANY_OBJECT, isArray: true, description: 'Draft versions: SHA-256, and the texts with texts=true' })
  drafts!: Record<string, unknown>[];
  @ApiProperty({ ...ANY_OBJECT, isArray: true, description: "The service's signed checkpoints of this procedure" })
  checkpoints!: Record<string, unknown>[];
}

export class EvidenceCheckDto {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ type: String, isArray: true }) problems!: string[];
}

export class EvidenceVerificationDto {
  @ApiProperty({ description: 'True when every check passed' }) valid!: boolean;
  @ApiProperty({ type: 'integer', description: 'Events checked before the first broken link (or all)' })
  checked!: number;
  @ApiProperty({ type: 'integer', nullable: true }) firstBrokenSeq!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'What is broken first, as a sentence' })
  reason!: string | null;
  @ApiProperty({
    type: EvidenceCheckDto,
    description: 'The events replayed through the machine against the snapshot and read models',
  })
  replay!: EvidenceCheckDto;
  @ApiProperty({ type: EvidenceCheckDto, description: "The service's signed checkpoints against the chain" })
  checkpoints!: EvidenceCheckDto;
  @ApiProperty({ type: EvidenceCheckDto, description: 'Signed answers: signatures, keys, text hashes' })
  answers!: EvidenceCheckDto;
  @ApiProperty({ type: String, isArray: true, description: 'Every problem found, one sentence each' })
  problems!: string[];
}
