import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReferenceRecord } from './reference-record.entity';
import { ReferenceController } from './reference.controller';
import { ReferenceService } from './reference.service';

/**
 * Versioned SCO reference data (member states, partners and their memoranda,
 * treaties, bodies). Other modules import it and inject ReferenceService.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ReferenceRecord])],
  controllers: [ReferenceController],
  providers: [ReferenceService],
  exports: [ReferenceService],
})
export class ReferenceModule {}
