/**
 * The benchmark procedure: one open stage with a state deadline (so every event runs the deadline
 * sync like a real procedure does) and COUNT, a targetless self-transition that only updates the
 * context. Kept apart from the test definitions so benchmark figures do not move when tests change.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { guardsFrom, type EventsOf, type Refusal, type WorkflowDefinition } from '../../workflows/kernel/definition';
import type { WorkflowEffect } from '../../workflows/kernel/types';

export const BENCH_DEFINITION_ID = 'bench-counter';

const events = {
  COUNT: {
    description: 'count',
    roles: ['legal_officer'],
    payload: z.object({ by: z.number().int().min(1).max(100).optional() }).strict(),
  },
  FINISH: { description: 'finish', roles: ['legal_officer'], payload: z.object({}).strict() },
} as const;
type Ev = EventsOf<typeof events>;
type Ctx = { count: number };
const refusals: { positive: Refusal<Ctx, Ev> } = {
  positive: ({ event }) =>
    event.type !== 'COUNT' || (event.payload.by ?? 1) > 0 ? null : 'Count by a positive number.',
};

const machine = setup({
  types: { context: {} as Ctx, events: {} as Ev, emitted: {} as WorkflowEffect },
  guards: guardsFrom(refusals),
}).createMachine({
  id: BENCH_DEFINITION_ID,
  initial: 'counting',
  context: { count: 0 },
  states: {
    counting: {
      meta: {
        label: { en: 'Counting', ru: 'Подсчёт', zh: '计数' },
        responsible: 'legal_officer',
        deadline: { days: 30, remindBefore: [7, 1], escalateTo: ['manager'] },
      },
      on: {
        COUNT: {
          guard: 'positive',
          actions: assign({ count: ({ context, event }) => context.count + (event.payload.by ?? 1) }),
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

export function benchDefinition(): WorkflowDefinition<Ctx, Ev, Record<string, never>, typeof machine> {
  return {
    id: BENCH_DEFINITION_ID,
    version: 1,
    measure: 'bench',
    title: { en: 'Benchmark counter', ru: 'Счётчик (замер)', zh: '计数器（基准）' },
    description: 'Benchmark procedure',
    machine,
    startRoles: ['legal_officer'],
    input: z.object({}).strict(),
    refusals,
    businessKeys: () => ({ partner: null, memorandum: null, treaty: null, subject: 'bench' }),
    events,
  };
}
