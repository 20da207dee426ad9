import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../../workflows/kernel/types';
import { DomainException, ErrorCode } from '../../common/domain.exception';
import { REDIS, REDIS_PREFIX } from '../../infra/redis.module';
import { AnalysisReportService } from '../analysis-report.service';
import { DraftsService } from '../drafts.service';
import {
  EXPORT_KEEP_SECONDS,
  EXPORTS_QUEUE,
  exportFileKey,
  REFUSED,
  type ExportJobData,
  type ExportJobResult,
  type ExportKind,
} from './export-jobs';

export interface ExportRequest {
  kind: ExportKind;
  version?: number;
  from?: number;
  to?: number;
  format: 'html' | 'pdf';
  lang: ExportJobData['lang'];
}

export type ExportState = 'queued' | 'running' | 'done' | 'failed';

export interface ExportStatus {
  id: string;
  kind: ExportKind;
  format: 'html' | 'pdf';
  lang: ExportJobData['lang'];
  state: ExportState;
  /** 0..100 */
  progress: number;
  /** Set once done. */
  file: { filename: string; contentType: string; bytes: number; url: string } | null;
  /** Why it failed, as a sentence. */
  error: string | null;
}

const missingExport = (id: string) =>
  new DomainException(
    ErrorCode.NOT_FOUND,
    `There is no export ${id.slice(0, 60)} of yours on this procedure; exports are kept for an hour after they are requested.`,
  );

/**
 * Exports rendered as jobs of the `exports` queue, so that a large document is rendered off every
 * API event loop and the page can show its progress: request (202 with the status), poll the
 * status, download the file. Each export belongs to the user who requested it; its status and
 * file are kept for an hour, in Redis, so any API process answers for it.
 */
@Injectable()
export class ExportJobsService {
  constructor(
    @InjectQueue(EXPORTS_QUEUE) private readonly queue: Queue<ExportJobData, ExportJobResult>,
    private readonly drafts: DraftsService,
    private readonly reports: AnalysisReportService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_PREFIX) private readonly prefix: string,
  ) {}

  /** Checks the request as the reader (404/409 with a sentence, nothing queued), then queues it. */
  async request(instanceId: string, req: ExportRequest, reader: Actor): Promise<ExportStatus> {
    const data: ExportJobData = {
      instanceId,
      kind: req.kind,
      version: null,
      from: null,
      to: null,
      format: req.format,
      lang: req.lang,
      reader,
    };
    switch (req.kind) {
      case 'version': {
        if (req.version === undefined) throw missing('version', 'a version export');
        await this.drafts.assertReadable(reader, instanceId, [req.version]);
        await this.drafts.version(instanceId, req.version);
        data.version = req.version;
        break;
      }
      case 'comparison': {
        if (req.from === undefined || req.to === undefined) throw missing('from and to', 'a comparison export');
        await this.drafts.assertReadable(reader, instanceId, [req.from, req.to]);
        await this.drafts.version(instanceId, req.from);
        await this.drafts.version(instanceId, req.to);
        data.from = req.from;
        data.to = req.to;
        break;
      }
      case 'report':
        await this.reports.report(instanceId, reader);
        break;
    }
    const job = await this.queue.add(req.kind, data, {
      jobId: randomUUID(),
      attempts: 2,
      backoff: { type: 'fixed', delay: 1000 },
      removeOnComplete: { age: EXPORT_KEEP_SECONDS },
      removeOnFail: { age: EXPORT_KEEP_SECONDS },
    });
    return this.statusOf(job, 'queued');
  }

  async status(instanceId: string, exportId: string, reader: Actor): Promise<ExportStatus> {
    const job = await this.jobOf(instanceId, exportId, reader);
    return this.statusOf(job, await job.getState());
  }

  /** The rendered file, once the export is done. */
  async file(instanceId: string, exportId: string, reader: Actor): Promise<ExportJobResult & { body: Buffer }> {
    const job = await this.jobOf(instanceId, exportId, reader);
    const state = await job.getState();
    if (state !== 'completed' || !job.returnvalue)
      throw new DomainException(
        ErrorCode.CONFLICT,
        state === 'failed'
          ? 'This export failed; request it again.'
          : 'This export is not ready yet; poll its status until it is done.',
        { state: stateOf(state) },
      );
    const body = await this.redis.getBuffer(exportFileKey(this.prefix, job.id!));
    if (!body) throw missingExport(exportId);
    return { ...job.returnvalue, body };
  }

  private async jobOf(
    instanceId: string,
    exportId: string,
    reader: Actor,
  ): Promise<Job<ExportJobData, ExportJobResult>> {
    const job = /^[0-9a-f-]{36}$/i.test(exportId) ? await this.queue.getJob(exportId) : undefined;
    if (!job || job.data.instanceId !== instanceId || job.data.reader.id !== reader.id) throw missingExport(exportId);
    return job;
  }

  private statusOf(job: Job<ExportJobData, ExportJobResult>, raw: string): ExportStatus {
    const state = stateOf(raw);
    const id = job.id!;
    const r = job.returnvalue;
    const progress = typeof job.progress === 'number' ? job.progress : 0;
    return {
      id,
      kind: job.data.kind,
      format: job.data.format,
      lang: job.data.lang,
      state,
      progress: state === 'done' ? 100 : Math.min(99, progress),
      file: state === 'done' && r ? { ...r, url: `/instances/${job.data.instanceId}/exports/${id}/file` } : null,
      error: state === 'failed' ? failureSentence(job.failedReason) : null,
    };
  }
}

function missing(what: string, of: string): DomainException {
  return new DomainException(ErrorCode.INVALID_PAYLOAD, `Give ${what} for ${of} (version numbers such as 3).`);
}

function stateOf(raw: string): ExportState {
  if (raw === 'completed') return 'done';
  if (raw === 'failed') return 'failed';
  if (raw === 'active') return 'running';
  return 'queued'; // waiting, delayed (a retry), prioritized, unknown for a moment after adding
}

function failureSentence(reason: string | undefined): string {
  if (reason?.startsWith(REFUSED)) return reason.slice(REFUSED.length);
  return 'The export could not be rendered; request it again, and tell an administrator if it fails again.';
}
