import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import type Redis from 'ioredis';
import { DomainException } from '../../common/domain.exception';
import { JOB_METRICS, type JobMetricsHook } from '../../deadlines/job-metrics.port';
import { REDIS, REDIS_PREFIX } from '../../infra/redis.module';
import { AnalysisReportService } from '../analysis-report.service';
import { DraftExportService, type ExportDocument } from '../draft-export.service';
import { DraftsService } from '../drafts.service';
import {
  EXPORT_KEEP_SECONDS,
  EXPORTS_QUEUE,
  exportFileKey,
  PROGRESS,
  REFUSED,
  type ExportJobData,
  type ExportJobResult,
} from './export-jobs';

/**
 * The worker of the `exports` queue (registered only where workers run): assembles the document
 * as the reader may read it, renders it on the export thread (off this process's event loop),
 * reports its progress on the job, and keeps the file in Redis for {@link EXPORT_KEEP_SECONDS}.
 * A refusal (a version no longer readable, a missing CJK font) fails the job with its sentence.
 */
@Processor(EXPORTS_QUEUE)
export class ExportRendererProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly drafts: DraftsService,
    private readonly exports: DraftExportService,
    private readonly reports: AnalysisReportService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_PREFIX) private readonly prefix: string,
    @Optional() @Inject(JOB_METRICS) private readonly metrics: JobMetricsHook | null,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.on('completed', () => this.metrics?.jobFinished(EXPORTS_QUEUE, 'completed'));
    this.worker.on('failed', () => this.metrics?.jobFinished(EXPORTS_QUEUE, 'failed'));
  }

  async process(job: Job<ExportJobData>): Promise<ExportJobResult> {
    const d = job.data;
    let told: number = PROGRESS.started;
    const tell = (percent: number) => {
      if (percent <= told) return;
      told = percent;
      void job.updateProgress(percent).catch(() => undefined); // progress is advisory: a lost update is harmless
    };
    await job.updateProgress(PROGRESS.started);
    try {
      const { doc, basename } = await this.assemble(d);
      tell(PROGRESS.assembled);
      const span = PROGRESS.rendered - PROGRESS.assembled;
      const file = await this.exports.render(doc, d.format, basename, (fraction) =>
        tell(PROGRESS.assembled + Math.floor(fraction * span)),
      );
      await this.redis.set(exportFileKey(this.prefix, job.id!), file.body, 'EX', EXPORT_KEEP_SECONDS);
      await job.updateProgress(PROGRESS.done);
      return { filename: file.filename, contentType: file.contentType, bytes: file.body.length };
    } catch (err) {
      if (err instanceof DomainException) throw new UnrecoverableError(`${REFUSED}${err.message}`);
      throw err;
    }
  }

  private async assemble(d: ExportJobData): Promise<ExportDocument> {
    switch (d.kind) {
      case 'version':
        await this.drafts.assertReadable(d.reader, d.instanceId, [d.version!]);
        return this.exports.versionDocument(d.instanceId, d.version!, d.lang);
      case 'comparison':
        await this.drafts.assertReadable(d.reader, d.instanceId, [d.from!, d.to!]);
        return this.exports.comparisonDocument(d.instanceId, d.from!, d.to!, d.lang, d.reader);
      case 'report':
        return this.reports.document(d.instanceId, d.lang, d.reader);
    }
  }
}
