import { setup } from 'xstate';
import { z } from 'zod';
import { actors, ev, explore, InvalidExplorationEvent, world } from './testing';
import type { WorkflowEvent } from './types';

const catalogue = {
  GO: {
    description: 'Go on',
    roles: ['legal_officer'],
    payload: z.object({ draftVersion: z.number().int() }).strict(),
  },
} as const;

const machine = setup({ types: { events: {} as WorkflowEvent<'GO', { draftVersion: number }> } }).createMachine({
  id: 'probe',
  initial: 'a',
  states: { a: { on: { GO: 'b' } }, b: { type: 'final' } },
});
const def = { id: 'probe', events: catalogue, machine };
const go = (payload: { draftVersion: number }): WorkflowEvent<'GO', { draftVersion: number }> => ({
  type: 'GO',
  payload,
  actor: actors.officer,
  at: '2025-01-06T09:00:00.000Z',
  world,
});

describe('explore checks every event it sends against its payload schema', () => {
  it('walks a machine whose events pass their schemas, counting what it sent', () => {
    const x = explore(def, undefined, () => [go({ draftVersion: 1 })]);
    expect(x.unreached).toEqual([]);
    expect(x.unfired).toEqual([]);
    expect(x.sent).toBeGreaterThan(0);
  });

  it('refuses an event whose payload does not pass its schema, naming the field', () => {
    const bad = () => [go({ draftVersion: 1.5 })];
    expect(() => explore(def, undefined, bad)).toThrow(InvalidExplorationEvent);
    expect(() => explore(def, undefined, bad)).toThrow(/GO .*draftVersion/);
  });

  it('refuses an event that is not in the catalogue', () => {
    const stray = ev('STRAY');
    const m = setup({ types: { events: {} as WorkflowEvent } }).createMachine({
      id: 'stray',
      initial: 'a',
      states: { a: {} },
    });
    expect(() => explore({ id: 'stray', events: catalogue, machine: m }, undefined, () => [stray])).toThrow(
      /STRAY is not in the definition's catalogue/,
    );
  });
});
