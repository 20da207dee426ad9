import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { CorrectionRecordDto } from '../instances/corrections.dto';
import { ANY_OBJECT } from '../common/openapi';

export class RecordProcedureDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() definitionId!: string;
  @ApiProperty() state!: string;
  @ApiProperty({ enum: ['active', 'done'] }) status!: string;
}

export class SignatoryViewDto {
  @ApiProperty() name!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The capacity in which the person signed; null: not recorded',
  })
  capacity!: string | null;
  @ApiProperty({
    ...ANY_OBJECT,
    nullable: true,
    description: 'kind ex_officio, instrument (reference) or decision (reference); null: not recorded',
  })
  fullPowers!: Record<string, unknown> | null;
}

export class SignatoriesViewDto {
  @ApiProperty({ type: SignatoryViewDto }) forSco!: SignatoryViewDto;
  @ApiProperty({ type: SignatoryViewDto }) forPartner!: SignatoryViewDto;
}

export class SigningViewDto {
  @ApiProperty({ type: 'integer' }) draftVersion!: number;
  @ApiProperty({ format: 'date' }) date!: string;
  @ApiProperty() place!: string;
  @ApiProperty({ type: SignatoriesViewDto }) signatories!: SignatoriesViewDto;
  @ApiProperty() recordedBy!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

@ApiSchema({ description: "A procedure's record of facts outside the system, with every correction" })
export class ProcedureRecordDto {
  @ApiProperty({ type: RecordProcedureDto }) procedure!: RecordProcedureDto;
  @ApiProperty({
    ...ANY_OBJECT,
    nullable: true,
    description: 'Body, submission, decision number and date (1(c), 1(d))',
  })
  adoption!: Record<string, unknown> | null;
  @ApiProperty({ type: SigningViewDto, nullable: true }) signing!: SigningViewDto | null;
  @ApiProperty({ ...ANY_OBJECT, nullable: true }) notification!: Record<string, unknown> | null;
  @ApiProperty({ ...ANY_OBJECT, nullable: true }) entryIntoForce!: Record<string, unknown> | null;
  @ApiProperty({ type: CorrectionRecordDto, isArray: true }) corrections!: CorrectionRecordDto[];
}
