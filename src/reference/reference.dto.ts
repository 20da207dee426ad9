import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Length,
  MaxLength,
  registerDecorator,
  type ValidationOptions,
} from 'class-validator';
import type { ReferenceKind } from './reference-record.entity';

// ------------------------------------------------------------------ dates

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD, or undefined. */
export function parseCalendarDate(value: string): Date | undefined {
  const m = DATE_RE.exec(value);
  if (!m) return undefined;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value ? undefined : date;
}

/** The string is a real calendar date written YYYY-MM-DD (2024-02-30 is rejected). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: ({ property }) => `${property} must be a date written YYYY-MM-DD, e.g. 2024-07-04`,
        ...options,
      },
      validator: { validate: (value: unknown) => typeof value === 'string' && parseCalendarDate(value) !== undefined },
    });
}

// ------------------------------------------------------------------ kinds

/** Accepted spellings of a kind in URLs: the stored value or the plural of the list routes. */
export const KIND_BY_PATH: Readonly<Record<string, ReferenceKind>> = Object.freeze({
  member_state: 'member_state',
  'member-states': 'member_state',
  partner: 'partner',
  partners: 'partner',
  treaty: 'treaty',
  treaties: 'treaty',
  body: 'body',
  bodies: 'body',
});
export const KIND_PATHS = Object.keys(KIND_BY_PATH);

// --------------------------------------------------------------- requests

export class AtQueryDto {
  @ApiPropertyOptional({
    description:
      'Date (UTC) at which the data is wanted, YYYY-MM-DD; default today. A version dated D is valid from the start of D.',
    example: '2024-07-04',
  })
  @IsOptional()
  @IsCalendarDate()
  at?: string;
}

export class RecordPathDto {
  @ApiProperty({ enum: KIND_PATHS, example: 'partner' })
  @IsIn(KIND_PATHS, { message: `kind must be one of ${KIND_PATHS.join(', ')}` })
  kind!: string;

  @ApiProperty({
    example: 'LA',
    description: 'ISO alpha-2 code for member states and partner states, the id for treaties and bodies',
  })
  @IsString()
  @Length(1, 64)
  code!: string;
}

export class RecordChangeDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The whole record as in the reference files (snake_case fields; null = not confirmed). Must carry the names/titles en/ru/zh, a non-empty "sources" array and, for partners, "status" and "memorandum".',
    example: {
      code: 'LA',
      status: 'sco_partner',
      name_en: 'Laos',
      name_ru: 'Лаос',
      name_zh: '老挝',
      memorandum: null,
      sources: [{ url: 'https://tass.com/world/2012137', supports: ['status'] }],
    },
  })
  @IsObject({ message: 'data must be an object (the whole record)' })
  data!: Record<string, unknown>;

  @ApiProperty({
    description: 'What changed and on which source',
    example: 'Tianjin Declaration of 1 September 2025: statuses merged into "SCO partner"',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  note!: string;

  @ApiProperty({ description: 'Start of validity (UTC date); the current version ends there', example: '2025-09-01' })
  @IsCalendarDate()
  validFrom!: string;

  @ApiPropertyOptional({ description: 'Set to true to add a record whose code does not exist yet', default: false })
  @IsOptional()
  @IsBoolean()
  create?: boolean;
}

export class RecordEndDto {
  @ApiProperty({
    description: 'Why the record ends, and on which source',
    example: 'Ceased to be a member state: decision of the Council of Heads of State No. 21',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  note!: string;

  @ApiProperty({
    description: 'End of validity (UTC date): the record is not valid from this day on',
    example: '2027-07-01',
  })
  @IsCalendarDate()
  validTo!: string;
}

// -------------------------------------------------------------- responses

const NULL_MEANS = 'null = not confirmed';

export class LocalisedNameDto {
  @ApiProperty({ type: String, nullable: true, description: `English (working language); ${NULL_MEANS}` })
  en!: string | null;

  @ApiProperty({ type: String, nullable: true, description: `Russian (official); ${NULL_MEANS}` })
  ru!: string | null;

  @ApiProperty({ type: String, nullable: true, description: `Chinese (official); ${NULL_MEANS}` })
  zh!: string | null;
}

export class ReferenceItemDto {
  @ApiProperty({ enum: ['member_state', 'partner', 'treaty', 'body'] })
  kind!: ReferenceKind;

  @ApiProperty({ example: 'KZ' })
  code!: string;

  @ApiProperty({ type: LocalisedNameDto, description: 'Name (title for treaties)' })
  name!: LocalisedNameDto;

  @ApiProperty({ example: 1 })
  version!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  validFrom!: Date;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Set when a later version replaced this one',
  })
  validTo!: Date | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: `The whole record with its sources; ${NULL_MEANS}`,
  })
  data!: Record<string, unknown>;
}

export class PartnerItemDto extends ReferenceItemDto {
  @ApiProperty({
    example: 'dialogue_partner',
    description: 'dialogue_partner | observer (2024); sco_partner after the 2025 merger',
  })
  status!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'mem-TR',
    description: 'Set when the partner holds a signed memorandum (signature date recorded, at any precision)',
  })
  memorandumId!: string | null;
}

export class ReferenceVersionDto extends ReferenceItemDto {
  @ApiProperty({ example: 'seed' })
  recordedBy!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  recordedAt!: Date;

  @ApiProperty({ type: String, nullable: true })
  note!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Who ended the record with this version (no successor)' })
  endedBy!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why the record ended with this version' })
  endNote!: string | null;
}
