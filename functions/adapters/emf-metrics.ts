import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricPoint, MetricsPort } from '../core/ports.js';

/** The CloudWatch namespace of every Phoenix metric, and the service dimension Powertools gives each. */
export const METRIC_NAMESPACE = 'Phoenix';
export const SERVICE_NAME = 'phoenix';

/** Where the metrics library's own warnings go: the function's logger, so every line stays one JSON object. */
export type MetricsWarnings = NonNullable<NonNullable<ConstructorParameters<typeof Metrics>[0]>['logger']>;

/** A Powertools metrics object in Phoenix's namespace; the handler's `logMetrics` flushes it at the end of each invocation. */
export function phoenixMetrics(warnings: MetricsWarnings): Metrics {
  return new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME, logger: warnings });
}

function blobKey(point: MetricPoint): string {
  const dimensions = Object.entries(point.dimensions ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([dimensions, point.group ?? null]);
}

/**
 * Metrics as CloudWatch's embedded metric format: one JSON line per set of dimensions, which CloudWatch
 * Logs turns into metrics with no API call. Figures with neither dimensions nor a group go into the
 * invocation's object, flushed by `logMetrics`; each other set is a line of its own, written at once,
 * its group a property beside the figures (searchable in Logs Insights, and free) rather than a dimension.
 */
export class EmfMetrics implements MetricsPort {
  constructor(
    private readonly invocation: Metrics,
    private readonly warnings: MetricsWarnings,
  ) {}

  publish(points: readonly MetricPoint[]): void {
    const sets = new Map<string, MetricPoint[]>();
    for (const point of points) {
      if (point.dimensions === undefined && point.group === undefined) this.invocation.addMetric(point.name, point.unit, point.value);
      else sets.set(blobKey(point), [...(sets.get(blobKey(point)) ?? []), point]);
    }
    for (const set of sets.values()) {
      const [first] = set;
      if (first === undefined) continue;
      const line = phoenixMetrics(this.warnings);
      for (const [name, value] of Object.entries(first.dimensions ?? {})) line.addDimension(name, value);
      if (first.group !== undefined) line.addMetadata('group', first.group);
      for (const point of set) line.addMetric(point.name, point.unit, point.value);
      line.publishStoredMetrics();
    }
  }
}
