import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_PAGE } from './keyset-cursor';

/** The paging parameters every list shares: `page` for the first pages, `cursor` beyond them. */
export class KeysetPageQuery {
  @ApiPropertyOptional({ default: 1, maximum: MAX_PAGE, description: 'Page number; beyond the first pages use cursor' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page must be a whole number' })
  @Min(1, { message: 'page must be at least 1' })
  @Max(MAX_PAGE, {
    message: `page may be at most ${MAX_PAGE}: to read further, pass the nextCursor of the previous page as cursor`,
  })
  page?: number;
  @ApiPropertyOptional({ description: 'Where the page starts: the nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200, { message: 'cursor is not one this service gave out' })
  cursor?: string;
  @ApiPropertyOptional({ default: 25 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) pageSize?: number;
}
