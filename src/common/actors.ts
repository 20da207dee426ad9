import type { Actor } from '../../workflows/kernel/types';

/** The actor of events the service applies itself: child procedures, deadlines, reminders. */
export const SYSTEM_ACTOR: Actor = Object.freeze({ id: 'system', role: 'system', memberState: null, actingFor: null });
