/**
 * Small building blocks every procedure machine uses: a state's meta, a notification effect, the
 * last element of a log, typed `assign`/`emit` for the machines' context and events, and reading
 * the payload fields the kernel's shared stages rely on.
 */
import { assign, emit, type MachineContext } from 'xstate';
import type { Announcement, Labels, NotifyEffect, StateMeta, WorkflowEffect, WorkflowEvent } from './types';

/**
 * Any procedure machine's event, as the kernel's shared stages see it: they are generic over the
 * machine's own event union and read the few payload fields they share through the readers below.
 */
export type ProcedureEvent = WorkflowEvent;

/** What an action or a refusal of a procedure machine is given. */
export interface StageArgs<C, E extends WorkflowEvent = ProcedureEvent> {
  context: C;
  event: E;
}

/** A payload field that holds a number, or null when the event carries none. */
export function numberIn(event: WorkflowEvent, field: string): number | null {
  const v = event.payload[field];
  return typeof v === 'number' ? v : null;
}

/** A payload field that holds text, or null when the event carries none. */
export function textIn(event: WorkflowEvent, field: string): string | null {
  const v = event.payload[field];
  return typeof v === 'string' ? v : null;
}

/** A state's meta: its label, who is responsible, and its deadline where it has one. */
export function meta(
  label: Labels,
  responsible: StateMeta['responsible'],
  deadline?: StateMeta['deadline'],
): StateMeta {
  return deadline ? { label, responsible, deadline } : { label, responsible };
}

/** A state's meta that announces the state's entry to `to` (see kernel/notices.ts). */
export function announced(m: StateMeta, to: Announcement): StateMeta {
  return { ...m, announce: to };
}

/** The audience of a milestone every party follows: the member states' approvers, the managers and the procedure's officers. */
export const EVERYONE_CONCERNED: Announcement = Object.freeze({
  roles: ['manager' as const],
  memberStates: 'all',
  procedureOfficers: true,
});

/** An `effect.notify` effect; `data` is left out when not given. */
export function notice(
  kind: NotifyEffect['kind'],
  audience: NotifyEffect['audience'],
  subject: string,
  data?: Record<string, unknown>,
): NotifyEffect {
  return data
    ? { type: 'effect.notify', kind, audience, subject, data }
    : { type: 'effect.notify', kind, audience, subject };
}

export const lastOf = <T>(xs: readonly T[]): T | undefined => xs[xs.length - 1];

/** `assign` typed for a procedure machine's context and events. */
export function assignTo<C extends MachineContext, E extends WorkflowEvent = ProcedureEvent>(
  assignment: (args: StageArgs<C, E>) => Partial<C>,
) {
  return assign<C, E, undefined, E, never>(({ context, event }) => assignment({ context, event }));
}

/** `emit` of a workflow effect, typed for a procedure machine's context and events. */
export function emitTo<C extends MachineContext, E extends WorkflowEvent = ProcedureEvent>(
  effect: (args: StageArgs<C, E>) => WorkflowEffect,
) {
  return emit<C, E, undefined, E, WorkflowEffect>(({ context, event }) => effect({ context, event }));
}

/** Whether `event` is of one of `types`: narrows a machine's event union to them (and so their payloads). */
export function isEventOf<E extends WorkflowEvent, T extends E['type']>(
  event: E,
  types: readonly T[],
): event is Extract<E, { type: T }> {
  return (types as readonly string[]).includes(event.type);
}
