import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Length,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { AnswerSignatureDto } from '../auth/signing-keys.dto';
import { DRAFT_LIMITS } from './draft-limits';
import { LANGUAGES, SOURCE_KINDS, type Lang, type SourceKind } from './draft.types';

// Lengths and counts are checked by the service, which answers 413 with the limit; the DTOs
// check shape and type (400).

export class DraftTitleDto {
  @ApiProperty({ maxLength: DRAFT_LIMITS.title, example: 'Regulation on the status of dialogue partner of the SCO' })
  @IsString()
  en!: string;
  @ApiProperty({ maxLength: DRAFT_LIMITS.title, example: 'Положение о статусе партнёра по диалогу ШОС' })
  @IsString()
  ru!: string;
  @ApiProperty({ maxLength: DRAFT_LIMITS.title, example: '上海合作组织对话伙伴地位条例' }) @IsString() zh!: string;
}

export class CreateDraftDto {
  @ApiProperty({
    enum: SOURCE_KINDS,
    description:
      'regulation: the current text of the Regulation; model_memorandum: the model Memorandum; memorandum: an existing memorandum (memorandumId); blank: no text yet',
  })
  @IsIn(SOURCE_KINDS, { message: `source must be one of ${SOURCE_KINDS.join(', ')}` })
  source!: SourceKind;

  @ApiPropertyOptional({
    example: 'mem-TR',
    description: "With source=memorandum: the memorandum (default: the procedure's own memorandum)",
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/, { message: 'memorandumId must be a memorandum id such as mem-TR' })
  memorandumId?: string;

  @ApiPropertyOptional({
    type: DraftTitleDto,
    description: "The draft's title in the three languages (default: the source's title; required for a blank draft)",
  })
  @IsOptional()
  @IsObject({ message: 'title must be an object with en, ru and zh' })
  @ValidateNested()
  @Type(() => DraftTitleDto)
  title?: DraftTitleDto;
}

export class ArticleInputDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The id of an existing article (kept across versions); leave out for a new article',
  })
  @IsOptional()
  @IsUUID('all', { message: 'articleId must be the id of an article of this draft' })
  articleId?: string;

  @ApiProperty({ example: '3 bis', description: 'The article number as printed: "3", "3 bis", "12.1"' })
  @IsString()
  @Matches(/^[\p{L}\p{N}](?:[\p{L}\p{N} .-]{0,18}[\p{L}\p{N}.])?$/u, {
    message: 'number must be an article number such as 3, 3 bis or 12.1 (at most 20 characters)',
  })
  number!: string;

  @ApiProperty({ maxLength: DRAFT_LIMITS.articleText, description: 'Russian text (authentic)' })
  @IsString()
  ru!: string;
  @ApiProperty({ maxLength: DRAFT_LIMITS.articleText, description: 'Chinese text (authentic)' })
  @IsString()
  zh!: string;
  @ApiProperty({ maxLength: DRAFT_LIMITS.articleText, description: 'English text (working text, not authentic)' })
  @IsString()
  en!: string;

  @ApiPropertyOptional({
    enum: LANGUAGES,
    isArray: true,
    description:
      'Languages you checked and confirm still match the others without changing them (clears their out-of-date mark)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @IsIn(LANGUAGES, { each: true, message: 'confirm holds languages: ru, zh, en' })
  confirm?: Lang[];
}

export class SaveVersionDto {
  @ApiProperty({
    maxLength: DRAFT_LIMITS.note,
    example: 'Consolidated comments of round 1',
    description: 'What this version changes and why',
  })
  @IsString()
  note!: string;

  @ApiPropertyOptional({ description: 'The version you edited; refused with 409 if another version was saved since' })
  @IsOptional()
  @IsInt()
  @Min(0)
  basedOn?: number;

  @ApiProperty({
    type: [ArticleInputDto],
    maxItems: DRAFT_LIMITS.articlesPerVersion,
    description: 'Every article of the new version, in order; an article left out is removed',
  })
  @IsArray()
  // an article given as an array (or any non-object) is a 400 naming the field, not a crash in the nested validation
  @IsObject({ each: true, message: 'articles: each article must be an object with number, en, ru and zh' })
  @ValidateNested({ each: true })
  @Type(() => ArticleInputDto)
  articles!: ArticleInputDto[];
}

export class AddCommentDto {
  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The article commented on; leave out for a general comment',
  })
  @IsOptional()
  @IsUUID('all', { message: 'articleId must be the id of an article of this version' })
  articleId?: string | null;

  @ApiProperty({
    maxLength: DRAFT_LIMITS.comment,
    example: 'Article 3: add "and observers" after "dialogue partners".',
  })
  @IsString()
  @IsNotEmpty({ message: 'text must not be empty' })
  text!: string;
}

/** A comment with its signature (a member state's comment; required when the service requires signed answers). */
export class SignedCommentDto extends AddCommentDto {
  @ApiPropertyOptional({
    type: AnswerSignatureDto,
    description: 'The signature of the statement POST .../comments/statement gave for this comment',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => AnswerSignatureDto)
  signature?: AnswerSignatureDto;
}

/** A version number in a query string. */
const VersionNumber = () =>
  applyDecorators(
    Type(() => Number),
    IsInt({ message: '$property must be a version number' }),
    Min(1),
    Max(1_000_000),
  );

export class DiffQuery {
  @ApiProperty({ example: 1 }) @VersionNumber() from!: number;
  @ApiProperty({ example: 3 }) @VersionNumber() to!: number;
  @ApiPropertyOptional({ enum: LANGUAGES, description: 'Redlines in this language only (default: all three)' })
  @IsOptional()
  @IsIn(LANGUAGES, { message: 'lang must be ru, zh or en' })
  lang?: Lang;
}

export class ComparisonQuery {
  @ApiProperty({ example: 1, description: 'Base version' }) @VersionNumber() from!: number;
  @ApiProperty({ example: 3, description: 'Proposed version' }) @VersionNumber() to!: number;
  @ApiPropertyOptional({ enum: LANGUAGES, default: 'ru' })
  @IsOptional()
  @IsIn(LANGUAGES, { message: 'lang must be ru, zh or en' })
  lang?: Lang;
}

export const EXPORT_FORMATS = ['html', 'pdf'] as const;

export class ExportQuery {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'html' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS, { message: 'format must be html or pdf' })
  format?: (typeof EXPORT_FORMATS)[number];

  @ApiPropertyOptional({ enum: LANGUAGES, default: 'ru' })
  @IsOptional()
  @IsIn(LANGUAGES, { message: 'lang must be ru, zh or en' })
  lang?: Lang;
}

export class ComparisonExportQuery extends ComparisonQuery {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'html' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS, { message: 'format must be html or pdf' })
  format?: (typeof EXPORT_FORMATS)[number];
}

export class ConsolidationQuery {
  @ApiProperty({ example: 1, description: 'The version whose comments are consolidated' })
  @VersionNumber()
  version!: number;
}

export class ModerateCommentDto {
  @ApiProperty({ maxLength: 500, example: 'Abusive language' })
  @IsString()
  @Length(1, 500, { message: 'reason must be 1 to 500 characters' })
  reason!: string;
}
