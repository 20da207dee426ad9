/**
 * The export renderer's thread: renders one Printable as HTML or PDF per message, so that a large
 * document never holds the API's event loop. Started by ExportRenderer (export-renderer.ts).
 */
import { parentPort } from 'node:worker_threads';
import { renderHtml } from './html';
import { renderPdf } from './pdf';
import type { RenderReply, RenderRequest } from './export-renderer';

const port = parentPort;
if (port)
  port.on('message', (m: RenderRequest) => {
    // A throw while rendering answers that request; it never ends the thread.
    const rendering = Promise.resolve().then(() =>
      m.format === 'html' ? Buffer.from(renderHtml(m.doc), 'utf8') : renderPdf(m.doc, m.fonts),
    );
    rendering.then(
      (body) => port.postMessage({ id: m.id, body } satisfies RenderReply),
      (err: unknown) =>
        port.postMessage({ id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies RenderReply),
    );
  });
