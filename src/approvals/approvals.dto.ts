import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { AnswerSignatureDto } from '../auth/signing-keys.dto';

export const ANSWER_KINDS = ['agree', 'agree_with_reservation', 'object', 'comments', 'no_comments'] as const;
export type AnswerKind = (typeof ANSWER_KINDS)[number];

/** An answer as a statement is asked for: the same fields as the answer, without a signature. */
export class StatementRequestDto {
  @ApiProperty({ description: 'The draft version you answer on; an outdated version is refused with 409', example: 2 })
  @IsInt({ message: 'draftVersion must be a whole number' })
  @Min(1)
  draftVersion!: number;

  @ApiProperty({
    enum: ANSWER_KINDS,
    description:
      'In an approval round: agree, agree_with_reservation (text required) or object (reason required). In a circulation for comments: comments (text required) or no_comments.',
  })
  @IsIn(ANSWER_KINDS, { message: `kind must be one of ${ANSWER_KINDS.join(', ')}` })
  kind!: AnswerKind;

  @ApiPropertyOptional({ description: 'Reservation text, reason for the objection, or the comments', maxLength: 20000 })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  text?: string;
}

export class AnswerDto extends StatementRequestDto {
  @ApiPropertyOptional({
    type: AnswerSignatureDto,
    description:
      'The signature of the statement POST /approvals/{id}/statement gave for this answer (required when the service requires signed answers)',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => AnswerSignatureDto)
  signature?: AnswerSignatureDto;
}
