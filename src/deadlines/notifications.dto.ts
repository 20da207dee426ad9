import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MAX_PAGE } from '../common/keyset-cursor';

export class ListNotificationsQuery {
  @ApiPropertyOptional({ description: 'Only notifications not read yet' })
  @IsOptional()
  @Type(() => String)
  @IsIn(['true', 'false'], { message: 'unread must be true or false' })
  unread?: 'true' | 'false';

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

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://ministry.example/amendflow-hook',
    description: 'http:// or https:// URL that receives a signed JSON POST per notification',
  })
  @IsString()
  @MaxLength(2000)
  @Matches(/^https?:\/\//i, { message: 'url must be an http:// or https:// URL' })
  url!: string;

  @ApiPropertyOptional({
    example: 'KZ',
    description: "Managers and administrators: subscribe for a member state's notifications instead of your own",
  })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'memberState must be a member state code such as KZ' })
  memberState?: string;

  @ApiPropertyOptional({
    description: 'Signing secret (at least 16 characters); generated when omitted. Returned once, on creation.',
  })
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(200)
  secret?: string;
}
