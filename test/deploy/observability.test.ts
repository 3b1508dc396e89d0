import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { METRIC_NAMESPACE, SERVICE_NAME } from '../../functions/adapters/emf-metrics.js';
import { METRICS } from '../../functions/app/metrics.js';
import { RECYCLE_REASONS } from '../../functions/core/model.js';
import { asArray, asString, field, type Json, maybe, ROOT, readYaml } from './stack.js';

/**
 * The dashboard and the over-max-age alarm read metrics by name and dimensions; the functions publish
 * them. A metric renamed on one side only would leave an empty graph or an alarm that never fires,
 * without any error, so both sides are held to the code here.
 */

const yaml = (path: string): Json => readYaml(readFileSync(join(ROOT, path), 'utf8'), path);

/** The dashboard body with every `${...}` of its Fn::Sub replaced by a number, which is valid JSON wherever it stands. */
function dashboardBody(): Json {
  const sub = asArray(field(yaml('infra/dashboard.yml'), 'Resources', 'Dashboard', 'Properties', 'DashboardBody', '!Sub'), 'DashboardBody');
  const text = asString(sub[0], 'the dashboard template').replace(/\$\{[^}]+\}/g, '1');
  return JSON.parse(text) as Json;
}

/** Each Phoenix metric the dashboard plots: its name and its dimensions as name=value pairs. */
function plotted(): { name: string; dimensions: Record<string, string> }[] {
  return asArray(field(dashboardBody(), 'widgets'), 'widgets').flatMap((widget) =>
    asArray(maybe(widget, 'properties', 'metrics') ?? [], 'metrics').flatMap((row) => {
      const cells = asArray(row, 'metric row').filter((cell): cell is string => typeof cell === 'string');
      if (cells[0] !== METRIC_NAMESPACE) return [];
      const pairs = cells.slice(2);
      const dimensions: Record<string, string> = {};
      for (let index = 0; index + 1 < pairs.length; index += 2) dimensions[pairs[index] as string] = pairs[index + 1] as string;
      return [{ name: cells[1] as string, dimensions }];
    }),
  );
}

/** The dimensions (beyond the service) each metric is published with at account level. */
const PUBLISHED_DIMENSIONS: Record<string, readonly string[]> = {
  Recycled: ['reason'],
  Skipped: ['reason'],
  TickDurationMs: ['function'],
  ApiCalls: ['function'],
};

describe('the dashboard', () => {
  it('plots only metrics the functions publish, with the dimensions they publish them under', () => {
    const rows = plotted();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(Object.keys(METRICS), row.name).toContain(row.name);
      expect(row.dimensions['service'], row.name).toBe(SERVICE_NAME);
      const { service: _service, ...rest } = row.dimensions;
      expect(Object.keys(rest).sort(), row.name).toEqual([...(PUBLISHED_DIMENSIONS[row.name] ?? [])].sort());
    }
  });

  it('shows every metric, and every recycle reason', () => {
    const body = JSON.stringify(dashboardBody());
    for (const name of Object.keys(METRICS)) expect(body, name).toContain(name);
    const recycled = plotted().filter((row) => row.name === 'Recycled');
    expect(recycled.map((row) => row.dimensions['reason'])).toEqual([...RECYCLE_REASONS]);
  });
});

describe("docs/operations.md's metric list", () => {
  it('has one row per metric the code publishes, with its meaning', () => {
    const readme = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
    const rows = readme.split('\n').flatMap((line) => /^\| `(\w+)` \| (Count|Seconds|Milliseconds|None)/.exec(line)?.[1] ?? []);
    expect(rows.sort()).toEqual(Object.keys(METRICS).sort());
  });
});

describe('the over-max-age alarm', () => {
  it('reads the largest overrun past max-age in the namespace and dimension the functions write, against the deploy parameter', () => {
    const alarm = field(yaml('infra/alerts.yml'), 'Resources', 'OverMaxAgeAlarm', 'Properties');
    expect(field(alarm, 'Namespace')).toBe(METRIC_NAMESPACE);
    expect(field(alarm, 'MetricName')).toBe('MaxAgeOverrunHours');
    expect(Object.keys(METRICS)).toContain('MaxAgeOverrunHours');
    expect(field(alarm, 'Dimensions')).toEqual([{ Name: 'service', Value: SERVICE_NAME }]);
    expect(field(alarm, 'Statistic')).toBe('Maximum');
    expect(field(alarm, 'Threshold')).toBe('!Ref MaxAgeAlarmHours');
    expect(field(alarm, 'ComparisonOperator')).toBe('GreaterThanThreshold');
    expect(field(alarm, 'AlarmActions')).toEqual(['!Ref AlertTopic']);
  });
});
