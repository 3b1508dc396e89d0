import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmfMetrics, METRIC_NAMESPACE, phoenixMetrics } from '../../../functions/adapters/emf-metrics.js';
import type { RunFigures } from '../../../functions/app/metrics.js';
import { runMetrics } from '../../../functions/app/metrics.js';
import type { TickResult } from '../../../functions/app/tick.js';
import type { MetricPoint } from '../../../functions/core/ports.js';
import { group, instance, NOW, record } from '../../support/fleet.js';

/**
 * The rules of CloudWatch's embedded metric format (its specification and published JSON schema), as
 * code: a line that breaks one is dropped by CloudWatch Logs without a word, so the test must say it.
 * Returns every rule the document breaks; none for a valid one.
 */
const UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isName = (value: unknown): value is string => typeof value === 'string' && value.length >= 1 && value.length <= 255;

function dimensionViolations(document: Record<string, unknown>, at: string, sets: unknown): string[] {
  if (!Array.isArray(sets)) return [`${at}.Dimensions: not an array of dimension sets`];
  const broken: string[] = [];
  for (const [index, set] of sets.entries()) {
    if (!Array.isArray(set)) {
      broken.push(`${at}.Dimensions[${index}]: not an array`);
      continue;
    }
    if (set.length > 30) broken.push(`${at}.Dimensions[${index}]: more than 30 dimensions`);
    for (const name of set) {
      const value = isName(name) ? document[name] : undefined;
      if (!isName(name)) broken.push(`${at}.Dimensions[${index}]: ${JSON.stringify(name)} is not a dimension name`);
      else if (typeof value !== 'string' || value.length === 0 || value.length > 1024)
        broken.push(`dimension ${name}: the root has no string value of 1 to 1024 characters for it`);
    }
  }
  return broken;
}

function metricViolations(document: Record<string, unknown>, at: string, metrics: unknown): string[] {
  if (!Array.isArray(metrics) || metrics.length > 100) return [`${at}.Metrics: not an array of at most 100 metrics`];
  const broken: string[] = [];
  for (const metric of metrics) {
    if (!isRecord(metric) || !isName(metric['Name'])) {
      broken.push(`${at}.Metrics: ${JSON.stringify(metric)} has no name of 1 to 255 characters`);
      continue;
    }
    const name = metric['Name'];
    if (metric['Unit'] !== undefined && !UNITS.has(String(metric['Unit'])))
      broken.push(`metric ${name}: unit ${String(metric['Unit'])} is not a CloudWatch unit`);
    if (metric['StorageResolution'] !== undefined && metric['StorageResolution'] !== 1 && metric['StorageResolution'] !== 60)
      broken.push(`metric ${name}: StorageResolution must be 1 or 60`);
    const value = document[name];
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || values.length > 100 || !values.every((entry) => typeof entry === 'number' && Number.isFinite(entry)))
      broken.push(`metric ${name}: the root has no number (or array of 1 to 100 numbers) for it`);
  }
  return broken;
}

function emfViolations(document: unknown): string[] {
  if (!isRecord(document)) return ['the root is not a JSON object'];
  const aws = document['_aws'];
  if (!isRecord(aws)) return ['_aws: missing or not an object'];
  const broken: string[] = [];
  const timestamp = aws['Timestamp'];
  if (typeof timestamp !== 'number' || !Number.isInteger(timestamp) || timestamp < 0) broken.push('_aws.Timestamp: not a whole number of epoch milliseconds');
  const directives = aws['CloudWatchMetrics'];
  if (!Array.isArray(directives)) return [...broken, '_aws.CloudWatchMetrics: not an array'];
  for (const [index, directive] of directives.entries()) {
    const at = `_aws.CloudWatchMetrics[${index}]`;
    if (!isRecord(directive)) {
      broken.push(`${at}: not an object`);
      continue;
    }
    if (!isName(directive['Namespace'])) broken.push(`${at}.Namespace: not a name of 1 to 255 characters`);
    broken.push(...dimensionViolations(document, at, directive['Dimensions']), ...metricViolations(document, at, directive['Metrics']));
  }
  return broken;
}

/** Every JSON line written to stdout while `act` runs: where Lambda's log stream, and so EMF, reads them. */
function linesOf(act: () => void): Record<string, unknown>[] {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => vi.restoreAllMocks());

/** What the handler does: the run's figures through the port, then logMetrics flushing the invocation's object. */
function emitted(points: readonly MetricPoint[]): Record<string, unknown>[] {
  const warnings = new Logger({ serviceName: 'phoenix' });
  const invocation = phoenixMetrics(warnings);
  return linesOf(() => {
    new EmfMetrics(invocation, warnings).publish(points);
    invocation.publishStoredMetrics();
  });
}

type Directive = { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] };
const directive = (line: Record<string, unknown>): Directive => (line['_aws'] as { CloudWatchMetrics: Directive[] }).CloudWatchMetrics[0] as Directive;
const carrying = (lines: Record<string, unknown>[], name: string) => lines.filter((line) => directive(line).Metrics.some((metric) => metric.Name === name));

const web = group({ name: 'web', instances: [instance({ id: 'i-old', launchedAt: NOW - 9 * 86_400_000 }), instance({ id: 'i-new' })] });
const tick: TickResult = {
  at: NOW,
  mode: 'live',
  block: undefined,
  blockedVersions: 0,
  decisions: [{ kind: 'skip', group: 'api', mode: 'live', instances: [], reason: 'outside-window', why: 'not terminating: outside the window' }],
  outcomes: [
    { group: 'web', kind: 'terminated', record: record({ phase: 'terminating', closedAt: undefined }) },
    { group: 'web', kind: 'closed', record: record({ id: 'web#0', phase: 'verified' }) },
  ],
  groups: [web],
};
const RUN: RunFigures = { role: 'recycler', durationMs: 912, apiCalls: 6, dimensions: 'account' };

describe('the embedded metric format rules', () => {
  const valid = {
    _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'P', Dimensions: [['service']], Metrics: [{ Name: 'M', Unit: 'Count' }] }] },
    service: 'p',
    M: 1,
  };

  it.each([
    { case: 'no _aws block', document: { M: 1 }, says: '_aws' },
    { case: 'a timestamp that is not epoch milliseconds', document: { ...valid, _aws: { ...valid._aws, Timestamp: '2026-11-23' } }, says: 'Timestamp' },
    { case: 'a dimension with no value', document: { ...valid, service: undefined }, says: 'dimension service' },
    {
      case: 'a unit CloudWatch does not know',
      document: { ...valid, _aws: { ...valid._aws, CloudWatchMetrics: [{ ...valid._aws.CloudWatchMetrics[0], Metrics: [{ Name: 'M', Unit: 'Hours' }] }] } },
      says: 'unit Hours',
    },
    { case: 'a metric value that is text', document: { ...valid, M: '1' }, says: 'metric M' },
    {
      case: 'an empty namespace',
      document: { ...valid, _aws: { ...valid._aws, CloudWatchMetrics: [{ ...valid._aws.CloudWatchMetrics[0], Namespace: '' }] } },
      says: 'Namespace',
    },
  ])('catch $case', ({ document, says }) => {
    expect(emfViolations(valid)).toEqual([]);
    expect(emfViolations(document).join('; ')).toContain(says);
  });
});

describe('EmfMetrics', () => {
  it("writes every line as valid EMF in the Phoenix namespace, with Powertools' service dimension", () => {
    const lines = emitted(runMetrics(tick, RUN));
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(emfViolations(line)).toEqual([]);
      expect(directive(line).Namespace).toBe(METRIC_NAMESPACE);
      expect(line['service']).toBe('phoenix');
      for (const set of directive(line).Dimensions) expect(set[0]).toBe('service');
    }
  });

  it('gives each metric its unit: seconds, milliseconds, counts, and hours as None', () => {
    const units = new Map(emitted(runMetrics(tick, RUN)).flatMap((line) => directive(line).Metrics.map((metric) => [metric.Name, metric.Unit] as const)));
    expect(Object.fromEntries(units)).toEqual({
      TickDurationMs: 'Milliseconds',
      ApiCalls: 'Count',
      RecoverySeconds: 'Seconds',
      FailedRecoveries: 'Count',
      Recycled: 'Count',
      Skipped: 'Count',
      QuarantinedGroups: 'Count',
      BlockedVersions: 'Count',
      InstancesOverMaxAge: 'Count',
      MaxAgeOverrunHours: 'None',
      OldestInstanceAgeHours: 'None',
    });
  });

  it('puts the group beside the figures as a property, never in a dimension set, by default', () => {
    const lines = emitted(runMetrics(tick, RUN));
    const [recycled] = carrying(lines, 'Recycled');
    expect(recycled).toMatchObject({ group: 'web', reason: 'max-age', Recycled: 1 });
    expect(directive(recycled ?? {}).Dimensions).toEqual([['service', 'reason']]);
    for (const line of lines) expect(directive(line).Dimensions.flat()).not.toContain('group');
    expect(carrying(lines, 'TickDurationMs')[0]).toMatchObject({ function: 'recycler', TickDurationMs: 912 });
    expect(directive(carrying(lines, 'TickDurationMs')[0] ?? {}).Dimensions).toEqual([['service', 'function']]);
    expect(directive(carrying(lines, 'Skipped')[0] ?? {}).Dimensions).toEqual([['service', 'reason']]);
  });

  it('adds the group dimension only when the deployment asks for per-group metrics', () => {
    const lines = emitted(runMetrics(tick, { ...RUN, dimensions: 'group' }));
    for (const line of lines) expect(emfViolations(line)).toEqual([]);
    const perGroup = lines.filter((line) => directive(line).Dimensions.some((set) => set.includes('group')));
    expect(perGroup.every((line) => line['group'] === 'web')).toBe(true);
    expect(new Set(perGroup.flatMap((line) => directive(line).Metrics.map((metric) => metric.Name)))).toEqual(
      new Set(['Recycled', 'RecoverySeconds', 'OldestInstanceAgeHours', 'InstancesOverMaxAge', 'MaxAgeOverrunHours']),
    );
    expect(perGroup.map((line) => directive(line).Dimensions)).toEqual(perGroup.map(() => [['service', 'group']]));
  });

  it('holds the figures with neither dimensions nor group for logMetrics to flush with the invocation', () => {
    const warnings = new Logger({ serviceName: 'phoenix' });
    const invocation = phoenixMetrics(warnings);
    const published = linesOf(() => new EmfMetrics(invocation, warnings).publish([{ name: 'QuarantinedGroups', unit: 'Count', value: 2 }]));
    expect(published).toEqual([]);
    const flushed = linesOf(() => invocation.publishStoredMetrics());
    expect(flushed).toMatchObject([{ QuarantinedGroups: 2, service: 'phoenix' }]);
    expect(emfViolations(flushed[0])).toEqual([]);
  });
});
