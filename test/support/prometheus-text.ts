/**
 * Parses a /metrics answer with a Prometheus text-format parser (parse-prometheus-text-format),
 * so that a malformed exposition fails the test instead of a substring matching by accident.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parse = require('parse-prometheus-text-format') as (text: string) => PrometheusFamily[];

export interface PrometheusSample {
  labels?: Record<string, string>;
  value?: string;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}

export interface PrometheusFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: PrometheusSample[];
}

export function parsePrometheus(text: string): Map<string, PrometheusFamily> {
  return new Map(parse(text).map((family) => [family.name, family]));
}

/** The Content-Type of the Prometheus text format, version 0.0.4. */
export const PROMETHEUS_TEXT = /^text\/plain; version=0\.0\.4; charset=utf-8$/;

/**
 * Label sets of the samples called exactly `sample` (e.g. `x_count`). The parser above merges the
 * series of a labelled histogram into one, so the labels of histograms are read here.
 */
export function samplesOf(text: string, sample: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== sample) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    out.push({ labels, value: Number(match[3]) });
  }
  return out;
}
