import type { Actor } from '../../workflows/kernel/types';
import { DomainException, ErrorCode } from '../common/domain.exception';
import type { InstanceRef } from './instance-ref';

/**
 * Who reads which versions of a draft. The Secretariat (legal officers, managers, administrators)
 * reads everything. A member state's approver reads what has been circulated to the member
 * states: the versions a round of comments or a consensus round was opened on, and the comments
 * of every state on them; never the Secretariat's internal drafts in between, nor a version
 * not released yet. The Secretariat's own comments (legal officers' notes on a version) are its
 * internal work: an approver reads the comments of the member states only.
 */
const SECRETARIAT = new Set(['legal_officer', 'manager', 'admin', 'system']);

/** Whether `actor` reads the Secretariat's internal work (every version, its comments and notes). */
export function readsEverything(actor: Actor): boolean {
  return SECRETARIAT.has(actor.role);
}

/** The comments `reader` may read: everything for the Secretariat, the member states' comments for an approver. */
export function visibleComments<C extends { memberState: string | null }>(
  reader: Actor | undefined,
  comments: C[],
): C[] {
  if (!reader || readsEverything(reader)) return comments;
  return comments.filter((c) => c.memberState !== null);
}

/** The version numbers `actor` may read in `instance`, or null for every version. */
export function readableVersions(actor: Actor, instance: InstanceRef): Set<number> | null {
  if (readsEverything(actor)) return null;
  const c = instance.context as { commentRounds?: unknown; rounds?: unknown };
  const out = new Set<number>();
  for (const list of [c.commentRounds, c.rounds])
    if (Array.isArray(list))
      for (const r of list as { draftVersion?: unknown }[])
        if (typeof r.draftVersion === 'number') out.add(r.draftVersion);
  return out;
}

export function notCirculated(version: number): DomainException {
  return new DomainException(
    ErrorCode.NOT_FOUND,
    `Version ${version} of this draft has not been circulated to the member states; only circulated versions can be read.`,
    { version },
  );
}

/** Throws the 404 of the first version in `versions` that `actor` may not read. */
export function assertReadable(actor: Actor, instance: InstanceRef, versions: readonly number[]): void {
  const readable = readableVersions(actor, instance);
  if (!readable) return;
  const hidden = versions.find((v) => !readable.has(v));
  if (hidden !== undefined) throw notCirculated(hidden);
}
