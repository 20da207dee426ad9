import type { Actor } from '../../../workflows/kernel/types';
import type { Lang } from '../draft.types';

/** The BullMQ queue that renders exports (workers: the API with WORKERS_IN_PROCESS, or npm run start:worker). */
export const EXPORTS_QUEUE = 'exports';

/** How long a finished export (its file and its status) is kept for download. */
export const EXPORT_KEEP_SECONDS = 3600;

export const EXPORT_KINDS = ['version', 'comparison', 'report'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** What an export job renders, for whom (the reader's read policy applies when it runs). */
export interface ExportJobData {
  instanceId: string;
  kind: ExportKind;
  version: number | null;
  from: number | null;
  to: number | null;
  format: 'html' | 'pdf';
  lang: Lang;
  reader: Actor;
}

/** What a finished export job returns; the file itself is kept in Redis under {@link exportFileKey}. */
export interface ExportJobResult {
  filename: string;
  contentType: string;
  bytes: number;
}

/** Progress steps (percent): the job started, the document was assembled; rendering fills the rest up to 99. */
export const PROGRESS = { started: 5, assembled: 20, rendered: 99, done: 100 } as const;

/** A refusal the reader can act on, kept as the job's failure reason after this marker. */
export const REFUSED = 'refused: ';

export const exportFileKey = (prefix: string, id: string) => `${prefix}:export-file:${id}`;
