import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { NOTICE_TOPICS, type NoticeTopic } from '../../workflows/kernel/types';
import { LANGUAGES, type Language } from './reader-locale';

export const DELIVERIES = ['in_app', 'email', 'digest'] as const;
export type Delivery = (typeof DELIVERIES)[number];

/** A change of my notification settings: only the fields given change. */
export class UpdateNotificationSettingsDto {
  @ApiPropertyOptional({
    enum: LANGUAGES,
    nullable: true,
    description: 'Language of my mails and calendar; null = my member state’s',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsIn(LANGUAGES, { message: `language must be one of ${LANGUAGES.join(', ')}, or null for the default` })
  language?: Language | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'Asia/Almaty',
    description: 'IANA time zone; null = my member state’s',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(64)
  timeZone?: string | null;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 23,
    description: 'Hour of the daily digest in my time zone',
  })
  @IsOptional()
  @IsInt({ message: 'digestHour must be a whole hour from 0 to 23' })
  @Min(0, { message: 'digestHour must be a whole hour from 0 to 23' })
  @Max(23, { message: 'digestHour must be a whole hour from 0 to 23' })
  digestHour?: number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', enum: [...DELIVERIES] },
    example: { reminder: 'email', position_recorded: 'digest', round_settled: 'in_app' },
    description: `Per topic (${NOTICE_TOPICS.join(', ')}): in_app (in the application only), email (a mail at once) or digest (in the daily mail)`,
  })
  @IsOptional()
  @IsObject({ message: 'preferences must be an object of topic: in_app | email | digest' })
  preferences?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [String],
    example: ['TR', 'EG'],
    description: 'Partners whose deadlines go into my calendar',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  followedPartners?: string[];
}

export class NotificationSettingsDto {
  @ApiProperty({ enum: LANGUAGES, nullable: true, type: String }) language!: Language | null;
  @ApiProperty({ type: String, nullable: true }) timeZone!: string | null;
  @ApiProperty({ enum: LANGUAGES, description: 'The language used: mine, else my member state’s' })
  effectiveLanguage!: Language;
  @ApiProperty({ description: 'The time zone used: mine, else my member state’s' }) effectiveTimeZone!: string;
  @ApiProperty({ type: 'integer' }) digestHour!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string', enum: [...DELIVERIES] } })
  preferences!: Record<NoticeTopic, Delivery>;
  @ApiProperty({ type: [String] }) followedPartners!: string[];
  @ApiProperty({ description: 'Whether this service sends mail at all (SMTP configured)' }) mailEnabled!: boolean;
  @ApiProperty({ description: 'Whether I have a calendar feed' }) calendar!: boolean;
}

export class CalendarFeedDto {
  @ApiProperty({ description: 'My private iCalendar address: shown once; a new one revokes the old' }) url!: string;
}
