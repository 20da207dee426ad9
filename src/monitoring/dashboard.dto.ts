import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

export class DashboardQuery {
  @ApiPropertyOptional({ description: 'Only this procedure definition, e.g. memorandum-amendment' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{1,63}$/, { message: 'definition must be a definition id such as memorandum-amendment' })
  definition?: string;

  @ApiPropertyOptional({ description: 'Only procedures concerning this partner, e.g. TR' })
  @IsOptional()
  @Matches(/^[A-Z][A-Z0-9]{1,15}$/, { message: 'partner must be a code such as TR' })
  partner?: string;
}
