/**
 * The export renderer's thread: renders one Printable as HTML or PDF per message, so that a large
 * document never holds the API's event loop. Started by ExportRenderer (export-renderer.ts).
 * While it renders it reports its progress (a fraction of the blocks laid out), at most every
 * 2 % of the document.
 */
import { parentPort } from 'node:worker_threads';
import { renderHtml } from './html';
import { renderPdf } from './pdf';
import type { RenderReply, RenderRequest } from './export-renderer';

const port = parentPort;
if (port)
  port.on('message', (m: RenderRequest) => {
    let told = 0;
    const progress = (done: number, total: number) => {
      const fraction = total ? done / total : 1;
      if (fraction - told < 0.02 && fraction < 1) return;
      told = fraction;
      port.postMessage({ id: m.id, progress: fraction } satisfies RenderReply);
    };
    // A throw while rendering answers that request; it never ends the thread.
    const rendering = Promise.resolve().then(() =>
      m.format === 'html' ? Buffer.from(renderHtml(m.doc, progress), 'utf8') : renderPdf(m.doc, m.fonts, progress),
    );
    rendering.then(
      (body) => port.postMessage({ id: m.id, body } satisfies RenderReply),
      (err: unknown) =>
        port.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies RenderReply),
    );
  });
