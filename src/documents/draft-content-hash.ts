import { draftContentHash, noDraftTextHash } from '../evidence/signed-statement';
import { queryOne, queryRows, type SqlRunner } from '../infra/sql';

/**
 * The SHA-256 a signed statement names for a draft version: of its full content (title, every
 * article in every language, in order); `noDraftTextHash` for a procedure that keeps no draft
 * text; null when the procedure has a draft but not this version.
 */
export async function draftVersionSha256(db: SqlRunner, instanceId: string, version: number): Promise<string | null> {
  const doc = await queryOne<{ id: string; title: { en: string; ru: string; zh: string } }>(
    db,
    `SELECT id, title FROM draft_document WHERE instance_id = $1`,
    [instanceId],
  );
  if (!doc) return noDraftTextHash(instanceId, version);
  const exists = await queryOne<{ number: number }>(
    db,
    `SELECT number FROM draft_version WHERE document_id = $1 AND number = $2`,
    [doc.id, version],
  );
  if (!exists) return null;
  const articles = await queryRows<{
    article_id: string;
    number: string;
    text_ru: string;
    text_zh: string;
    text_en: string;
  }>(
    db,
    `SELECT a.article_id, a.number, a.text_ru, a.text_zh, a.text_en
     FROM draft_article a JOIN draft_version v ON v.id = a.version_id
     WHERE v.document_id = $1 AND v.number = $2 ORDER BY a.position`,
    [doc.id, version],
  );
  return draftContentHash({
    title: doc.title,
    number: version,
    articles: articles.map((a) => ({
      articleId: a.article_id,
      number: a.number,
      text: { ru: a.text_ru, zh: a.text_zh, en: a.text_en },
    })),
  });
}
