/**
 * Drafts for tests that drive a procedure: a stage that sends text on needs the procedure's draft
 * document and the version it names, saved by someone (the four-eyes rule reads who). Written
 * through the real DraftsService, as the drafts API would.
 */
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import { DraftsService } from '../../src/documents/drafts.service';

const TITLE = { en: 'Draft', ru: 'Проект', zh: '草案' };

/** The latest saved version of the procedure's draft: 0 when it has no version, null when it has no draft. */
export async function latestDraftVersion(app: INestApplication, instanceId: string): Promise<number | null> {
  const facts = await app.get(DraftsService).factsFor(app.get(DataSource).manager, instanceId);
  return facts ? facts.latestVersion : null;
}

/**
 * Gives the procedure a draft (blank, if it has none) and saves new versions by `author` until the
 * latest is `version`. Each version changes the text, as a real edit would.
 */
export async function draftUpTo(
  app: INestApplication,
  instanceId: string,
  author: Actor,
  version: number,
): Promise<void> {
  const drafts = app.get(DraftsService);
  let latest = await latestDraftVersion(app, instanceId);
  if (latest === null) {
    await drafts.create(instanceId, { source: 'blank', title: TITLE }, author);
    latest = 0;
  }
  for (let n = latest + 1; n <= version; n++)
    await drafts.saveVersion(
      instanceId,
      {
        note: `Version ${n}`,
        articles: [
          { number: '1', ru: `Статья 1, редакция ${n}`, zh: `第1条，第${n}稿`, en: `Article 1, version ${n}` },
        ],
      },
      author,
    );
}
