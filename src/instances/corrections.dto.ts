import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { IsDefined, IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';

/** A recorded value: text (a date, a number, a name) or an object (a signatory). */
const RECORDED_VALUE: { oneOf: { type: 'string' | 'object'; additionalProperties?: boolean }[] } = {
  oneOf: [{ type: 'string' }, { type: 'object', additionalProperties: true }],
};

export class ProposeCorrectionDto {
  @ApiProperty({
    example: 'adoption.date',
    description: 'The recorded fact to correct (GET /instances/:id/corrections lists the correctable ones)',
  })
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9.]{0,99}$/, { message: 'field must name a recorded fact such as adoption.date' })
  field!: string;

  @ApiProperty({
    ...RECORDED_VALUE,
    description: 'The correct value, in the shape of the original field (see valueSchema of the correctable fact)',
    example: '2026-07-02',
  })
  @IsDefined({ message: 'value is required: the correct value of the fact' })
  value!: unknown;

  @ApiProperty({ description: 'Why the recorded value is wrong, and on which evidence' })
  @IsString()
  @IsNotEmpty({ message: 'reason must say why the recorded value is wrong' })
  @MaxLength(2000)
  reason!: string;
}

export class RejectCorrectionDto {
  @ApiProperty({ description: 'Why the correction is rejected' })
  @IsString()
  @IsNotEmpty({ message: 'reason must say why the correction is rejected' })
  @MaxLength(2000)
  reason!: string;
}

const CORRECTION_STATUSES = ['pending', 'confirmed', 'rejected'] as const;

@ApiSchema({ description: 'A correction of a recorded fact: the proposal and, once decided, its review' })
export class CorrectionRecordDto {
  @ApiProperty({ type: 'integer', description: 'The sequence number of the proposal in the history' })
  number!: number;
  @ApiProperty({ example: 'adoption.date' }) field!: string;
  @ApiProperty({ example: 'the decision date' }) label!: string;
  @ApiProperty({
    ...RECORDED_VALUE,
    description: 'The value recorded when the correction was proposed (kept in the history)',
  })
  oldValue!: unknown;
  @ApiProperty({ ...RECORDED_VALUE, description: 'The correct value' }) newValue!: unknown;
  @ApiProperty() reason!: string;
  @ApiProperty() proposedBy!: string;
  @ApiProperty({ format: 'date-time' }) proposedAt!: string;
  @ApiProperty({ enum: CORRECTION_STATUSES }) status!: (typeof CORRECTION_STATUSES)[number];
  @ApiProperty({ type: String, nullable: true }) decidedBy!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) decidedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) rejectionReason!: string | null;
}

export class CorrectableFactDto {
  @ApiProperty({ example: 'adoption.date' }) field!: string;
  @ApiProperty({ example: 'the decision date' }) label!: string;
  @ApiProperty({
    description: 'JSON Schema of the value (the original field’s schema)',
    type: 'object',
    additionalProperties: true,
  })
  valueSchema!: unknown;
}

@ApiSchema({ description: 'The corrections of one procedure and the recorded facts that may be corrected' })
export class CorrectionsViewDto {
  @ApiProperty({ type: CorrectableFactDto, isArray: true }) correctable!: CorrectableFactDto[];
  @ApiProperty({ type: CorrectionRecordDto, isArray: true }) corrections!: CorrectionRecordDto[];
}
