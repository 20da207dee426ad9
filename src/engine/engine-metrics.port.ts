/**
 * The engine's metrics port. The engine calls it; whoever exposes metrics (the web module's
 * Prometheus registry) implements it and provides it under ENGINE_METRICS. Optional: without a
 * provider the engine reports nothing.
 */
export const ENGINE_METRICS = Symbol('ENGINE_METRICS');

/** What the workflow engine reports after each applied (not replayed) event. */
export interface EngineMetricsHook {
  eventApplied(definitionId: string, eventType: string, seconds: number): void;
}
