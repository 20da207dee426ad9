import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { LANGUAGES, type Lang } from '../draft.types';
import { EXPORT_FORMATS } from '../documents.dto';
import { EXPORT_KINDS, type ExportKind } from './export-jobs';

const VERSION = { example: 1, minimum: 1, maximum: 1_000_000 } as const;

export class RequestExportDto {
  @ApiProperty({
    enum: EXPORT_KINDS,
    description:
      'version: one version of the draft (version); comparison: the comparison table (from, to); report: the 1(a) final information',
  })
  @IsIn(EXPORT_KINDS, { message: 'kind must be version, comparison or report' })
  kind!: ExportKind;

  @ApiPropertyOptional({ ...VERSION, description: 'The version (kind version)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'version must be a version number' })
  @Min(1)
  @Max(1_000_000)
  version?: number;

  @ApiPropertyOptional({ ...VERSION, description: 'The base version (kind comparison)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'from must be a version number' })
  @Min(1)
  @Max(1_000_000)
  from?: number;

  @ApiPropertyOptional({ ...VERSION, description: 'The proposed version (kind comparison)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'to must be a version number' })
  @Min(1)
  @Max(1_000_000)
  to?: number;

  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'pdf' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS, { message: 'format must be html or pdf' })
  format?: (typeof EXPORT_FORMATS)[number];

  @ApiPropertyOptional({ enum: LANGUAGES, default: 'ru' })
  @IsOptional()
  @IsIn(LANGUAGES, { message: 'lang must be ru, zh or en' })
  lang?: Lang;
}

export class ExportFileDto {
  @ApiProperty({ example: 'draft-v3-ru.pdf' }) filename!: string;
  @ApiProperty({ example: 'application/pdf' }) contentType!: string;
  @ApiProperty() bytes!: number;
  @ApiProperty({ description: 'Where to download it (with the bearer token)' }) url!: string;
}

export class ExportStatusDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: EXPORT_KINDS }) kind!: ExportKind;
  @ApiProperty({ enum: EXPORT_FORMATS }) format!: (typeof EXPORT_FORMATS)[number];
  @ApiProperty({ enum: LANGUAGES }) lang!: Lang;
  @ApiProperty({ enum: ['queued', 'running', 'done', 'failed'] }) state!: 'queued' | 'running' | 'done' | 'failed';
  @ApiProperty({ minimum: 0, maximum: 100, description: 'Percent rendered' }) progress!: number;
  @ApiProperty({ type: ExportFileDto, nullable: true, description: 'Once done' }) file!: ExportFileDto | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why it failed, as a sentence' }) error!: string | null;
}
