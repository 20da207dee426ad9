import type { DataSource } from 'typeorm';

export interface AuditRow {
  action: string;
  actor_id: string | null;
  subject: string;
  details: Record<string, unknown>;
  ip: string | null;
  at: Date;
}

/** Audit entries about a subject (or of an action), oldest first. */
export async function auditRows(
  dataSource: DataSource,
  where: { subject?: string; action?: string },
): Promise<AuditRow[]> {
  return dataSource.query(
    `select action, actor_id, subject, details, ip, at from audit_log
      where ($1::text is null or subject = $1) and ($2::text is null or action = $2)
      order by id`,
    [where.subject ?? null, where.action ?? null],
  );
}
