/**
 * Small building blocks every procedure machine uses: a state's meta, a notification effect, the
 * last element of a log, and typed `assign`/`emit` for the machines' context and events.
 */
import { assign, emit, type MachineContext } from 'xstate';
import type { Labels, NotifyEffect, StateMeta, WorkflowEffect, WorkflowEvent } from './types';

/** The events every procedure machine receives (payloads are validated against the definition's catalogue). */
export type ProcedureEvent = WorkflowEvent<string, any>;

/** What an action or a refusal of a procedure machine is given. */
export interface StageArgs<C> {
  context: C;
  event: ProcedureEvent;
}

/** A state's meta: its label, who is responsible, and its deadline where it has one. */
export function meta(
  label: Labels,
  responsible: StateMeta['responsible'],
  deadline?: StateMeta['deadline'],
): StateMeta {
  return deadline ? { label, responsible, deadline } : { label, responsible };
}

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
export function assignTo<C extends MachineContext>(assignment: (args: StageArgs<C>) => Partial<C>) {
  return assign<C, ProcedureEvent, undefined, ProcedureEvent, never>(({ context, event }) =>
    assignment({ context, event }),
  );
}

/** `emit` of a workflow effect, typed for a procedure machine's context and events. */
export function emitTo<C extends MachineContext>(effect: (args: StageArgs<C>) => WorkflowEffect) {
  return emit<C, ProcedureEvent, undefined, ProcedureEvent, WorkflowEffect>(({ context, event }) =>
    effect({ context, event }),
  );
}
