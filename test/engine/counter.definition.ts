/** A small procedure used only by the engine's tests: counting, a deadline, children, versions. */
import { assign, emit, setup } from 'xstate';
import { z } from 'zod';
import { guardsFrom, type Refusal, type WorkflowDefinition } from '../../workflows/kernel/definition';
import type { WorkflowEffect, WorkflowEvent } from '../../workflows/kernel/types';

type Ev =
  | WorkflowEvent<'COUNT', { by?: number }>
  | WorkflowEvent<'SPAWN', { keys: string[] }>
  | WorkflowEvent<'NOTE', { text: string }>
  | WorkflowEvent<'CHILD_DONE', { key: string }>
  | WorkflowEvent<'REMINDER', { deadlineKey: string; daysBefore: number }>
  | WorkflowEvent<'DEADLINE_PASSED', { deadlineKey: string }>
  | WorkflowEvent<'FINISH', Record<string, never>>;
type Ctx = { count: number; children: string[] };
const refusals: { notTooMany: Refusal<Ctx, Ev> } = {
  notTooMany: ({ context, event }) =>
    event.type === 'COUNT' && context.count + (event.payload.by ?? 1) > 1000 ? 'The counter cannot pass 1000.' : null,
};

function counterMachine(version: number) {
  const openState = version === 1 ? 'counting' : 'tallying';
  return setup({
    types: { context: {} as Ctx, events: {} as Ev, emitted: {} as WorkflowEffect },
    guards: guardsFrom(refusals),
  }).createMachine({
    id: 'test-counter',
    initial: openState,
    context: { count: 0, children: [] },
    states: {
      [openState]: {
        meta: {
          label: { en: 'Counting', ru: 'Подсчёт', zh: '计数' },
          responsible: 'legal_officer',
          deadline: { days: 30, remindBefore: [7, 1], escalateTo: ['manager'] },
        },
        on: {
          COUNT: {
            guard: 'notTooMany',
            actions: assign({ count: ({ context, event }) => context.count + (event.payload.by ?? 1) }),
          },
          SPAWN: {
            actions: emit(({ event }) => ({
              type: 'effect.openChildren' as const,
              children: event.payload.keys.map((key) => ({
                definitionId: 'test-counter',
                key,
                input: {},
              })),
            })),
          },
          NOTE: {
            actions: emit(({ event }) => ({
              type: 'effect.notify' as const,
              kind: 'info' as const,
              audience: { roles: ['manager' as const] },
              subject: event.payload.text,
            })),
          },
          CHILD_DONE: {
            actions: assign({ children: ({ context, event }) => [...context.children, event.payload.key] }),
          },
          REMINDER: {
            actions: emit(() => ({
              type: 'effect.notify' as const,
              kind: 'reminder' as const,
              audience: { roles: ['legal_officer' as const] },
              subject: 'Counting is due',
            })),
          },
          DEADLINE_PASSED: {
            actions: emit(() => ({
              type: 'effect.notify' as const,
              kind: 'escalation' as const,
              audience: { roles: ['manager' as const] },
              subject: 'Counting is overdue',
            })),
          },
          FINISH: 'finished',
        },
      },
      finished: {
        type: 'final',
        meta: { label: { en: 'Finished', ru: 'Завершено', zh: '已完成' }, responsible: 'legal_officer' },
      },
    },
  });
}

export function counterDefinition(version: number): WorkflowDefinition {
  return {
    id: 'test-counter',
    version,
    measure: 'test',
    title: { en: 'Counter', ru: 'Счётчик', zh: '计数器' },
    description: 'Engine test procedure',
    machine: counterMachine(version),
    startRoles: ['legal_officer'],
    input: z.object({}).strict(),
    refusals,
    businessKeys: () => ({ partner: null, memorandum: null, treaty: null, subject: 'test' }),
    output: (c: { count: number }, finalState: string) => ({ count: c.count, finalState }),
    events: {
      COUNT: {
        description: 'count',
        roles: ['legal_officer', 'approver'],
        payload: z.object({ by: z.number().int().min(1).max(100).optional() }).strict(),
      },
      SPAWN: {
        description: 'open children',
        roles: ['legal_officer'],
        payload: z.object({ keys: z.array(z.string().min(1)).min(1).max(20) }).strict(),
      },
      NOTE: {
        description: 'notify',
        roles: ['legal_officer'],
        payload: z.object({ text: z.string().min(1) }).strict(),
      },
      CHILD_DONE: { description: 'child done', roles: ['system'], payload: z.object({}).passthrough() },
      REMINDER: {
        description: 'reminder',
        roles: ['system'],
        payload: z.object({ deadlineKey: z.string(), daysBefore: z.number() }).strict(),
      },
      DEADLINE_PASSED: {
        description: 'deadline',
        roles: ['system'],
        payload: z.object({ deadlineKey: z.string() }).strict(),
      },
      FINISH: { description: 'finish', roles: ['legal_officer'], payload: z.object({}).strict() },
    },
  };
}
