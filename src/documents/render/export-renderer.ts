import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { PdfFontSet } from './pdf-fonts';
import type { Printable } from './printable';

export interface RenderRequest {
  id: number;
  format: 'html' | 'pdf';
  doc: Printable;
  fonts: PdfFontSet;
}

export type RenderReply =
  | { id: number; body: Uint8Array }
  | { id: number; error: string }
  /** While rendering: the fraction (0..1) of the document laid out so far. */
  | { id: number; progress: number };

interface Waiting {
  resolve: (b: Buffer) => void;
  reject: (e: Error) => void;
  onProgress?: (fraction: number) => void;
}

/**
 * Renders exports on a worker thread of this process (started on first use, one per process),
 * off the event loop that answers every other request; the export routes wait for its answer.
 * A thread that dies fails the renders it held and is started again for the next one.
 */
@Injectable()
export class ExportRenderer implements OnModuleDestroy {
  private readonly log = new Logger('ExportRenderer');
  private worker: Worker | null = null;
  private nextId = 1;
  /** Renders waiting for their answer, per thread. */
  private readonly pending = new Map<Worker, Map<number, Waiting>>();

  /** `onProgress` hears the fraction (0..1) of the document laid out, while it renders. */
  render(
    doc: Printable,
    format: 'html' | 'pdf',
    fonts: PdfFontSet,
    onProgress?: (fraction: number) => void,
  ): Promise<Buffer> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    const waiting = this.pending.get(worker)!;
    return new Promise<Buffer>((resolve, reject) => {
      waiting.set(id, { resolve, reject, onProgress });
      if (waiting.size === 1) worker.ref(); // keeps the process up only while a render is running
      worker.postMessage({ id, format, doc, fonts } satisfies RenderRequest);
    });
  }

  async onModuleDestroy(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    // From the sources (ts-node, ts-jest) the thread compiles its TypeScript as it loads.
    const ts = __filename.endsWith('.ts');
    const worker = new Worker(path.join(__dirname, `render.worker${ts ? '.ts' : '.js'}`), {
      execArgv: ts ? ['-r', 'ts-node/register/transpile-only'] : undefined,
    });
    worker.unref();
    const pending = new Map<number, Waiting>();
    this.pending.set(worker, pending);
    worker.on('message', (reply: RenderReply) => {
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      if ('progress' in reply) {
        waiting.onProgress?.(reply.progress);
        return;
      }
      pending.delete(reply.id);
      if (!pending.size) worker.unref();
      if ('error' in reply) waiting.reject(new Error(reply.error));
      else waiting.resolve(Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength));
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      this.pending.delete(worker);
      for (const waiting of pending.values()) waiting.reject(err);
      pending.clear();
    };
    worker.on('error', (err) => {
      this.log.error(`export renderer thread failed: ${err.message}`);
      fail(err);
    });
    worker.on('exit', (code) => fail(new Error(`the export renderer thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
