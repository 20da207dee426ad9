import type { Actor } from '../../workflows/kernel/types';

/**
 * Whose an idempotency key is. A caller's key is scoped to their user id and the identity they act
 * for; the system's keys (deadline jobs, child relay, migrations) have the scope `system`, which no
 * caller can take: a caller's scope always starts with `user:`, whatever key they send. The same
 * expression is indexed in SQL (migration 1700000010000), keep both in step.
 */
export function idempotencyScope(actor: Pick<Actor, 'id' | 'role' | 'actingFor'>): string {
  return actor.role === 'system' ? 'system' : `user:${actor.id}/${actor.actingFor ?? ''}`;
}
