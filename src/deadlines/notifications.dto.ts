import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { NOTICE_TOPICS, type NoticeTopic } from '../../workflows/kernel/types';
import { KeysetPageQuery } from '../common/keyset-page.dto';

export class ListNotificationsQuery extends KeysetPageQuery {
  @ApiPropertyOptional({ description: 'Only notifications not read yet' })
  @IsOptional()
  @Type(() => String)
  @IsIn(['true', 'false'], { message: 'unread must be true or false' })
  unread?: 'true' | 'false';

  @ApiPropertyOptional({ enum: NOTICE_TOPICS, description: 'Only notifications about this topic' })
  @IsOptional()
  @IsIn(NOTICE_TOPICS, { message: `topic must be one of ${NOTICE_TOPICS.join(', ')}` })
  topic?: NoticeTopic;
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
