import { describe, expect, it } from 'vitest';
import type { RunFigures } from '../../../functions/app/metrics.js';
import { METRICS, runMetrics } from '../../../functions/app/metrics.js';
import type { ActionOutcome } from '../../../functions/app/replacement-actions.js';
import type { TickResult } from '../../../functions/app/tick.js';
import type { SkipDecision, SkipReason } from '../../../functions/core/decide/decision.js';
import { DAY, HOUR, MINUTE } from '../../../functions/core/model.js';
import type { MetricPoint } from '../../../functions/core/ports.js';
import { group, instance, NOW, record, withTags } from '../../support/fleet.js';

const RECYCLER: RunFigures = { role: 'recycler', durationMs: 840, apiCalls: 7, dimensions: 'account' };

/** web: max-age 7d, its oldest instance 9 days old (2 days over); api: max-age 7d, all young; old-off: disabled, 30 days old. */
const web = group({ name: 'web', instances: [instance({ id: 'i-old', launchedAt: NOW - 9 * DAY }), instance({ id: 'i-new', launchedAt: NOW - DAY })] });
const api = group({ name: 'api', size: 2 });
const disabled = withTags(group({ name: 'old-off', instances: [instance({ id: 'i-ancient', launchedAt: NOW - 30 * DAY })] }), { 'phoenix:enabled': 'false' });
const quarantined = withTags(group({ name: 'stuck', size: 1 }), { 'phoenix:quarantined': '2026-11-20T10:00:00Z recovery timed out' });

function result(overrides: Partial<TickResult> = {}): TickResult {
  return { at: NOW, mode: 'live', block: undefined, decisions: [], outcomes: [], groups: [web, api, disabled, quarantined], blockedVersions: 0, ...overrides };
}

const terminated = (groupName: string, reason: 'max-age' | 'chaos'): ActionOutcome => ({
  group: groupName,
  kind: 'terminated',
  record: record({ group: groupName, reason, phase: 'terminating', closedAt: undefined }),
});

const skip = (name: string, reason: SkipReason): SkipDecision => ({
  kind: 'skip',
  group: name,
  mode: 'live',
  instances: [],
  reason,
  why: `not terminating: ${reason}`,
});

const named = (points: readonly MetricPoint[], name: keyof typeof METRICS) => points.filter((point) => point.name === name);

describe('runMetrics', () => {
  it('measures the run itself by function: its duration in milliseconds and its AWS calls', () => {
    const points = runMetrics(result(), RECYCLER);
    expect(named(points, 'TickDurationMs')).toEqual([{ name: 'TickDurationMs', unit: 'Milliseconds', value: 840, dimensions: { function: 'recycler' } }]);
    expect(named(points, 'ApiCalls')).toEqual([{ name: 'ApiCalls', unit: 'Count', value: 7, dimensions: { function: 'recycler' } }]);
  });

  it('counts terminations by reason, each naming its group as a property, not a dimension', () => {
    const points = runMetrics(result({ outcomes: [terminated('web', 'max-age'), terminated('api', 'chaos')] }), RECYCLER);
    expect(named(points, 'Recycled')).toEqual([
      { name: 'Recycled', unit: 'Count', value: 1, dimensions: { reason: 'max-age' }, group: 'web' },
      { name: 'Recycled', unit: 'Count', value: 1, dimensions: { reason: 'chaos' }, group: 'api' },
    ]);
  });

  it('gives each verified replacement its recovery time, and every run a count of failed recoveries, 0 included', () => {
    const verified: ActionOutcome = { group: 'web', kind: 'closed', record: record({ startedAt: NOW - 6 * MINUTE, closedAt: NOW, phase: 'verified' }) };
    const failed: ActionOutcome = { group: 'api', kind: 'closed', record: record({ group: 'api', phase: 'failed', closedAt: NOW }) };
    expect(named(runMetrics(result({ outcomes: [verified] }), RECYCLER), 'RecoverySeconds')).toEqual([
      { name: 'RecoverySeconds', unit: 'Seconds', value: 360, group: 'web' },
    ]);
    expect(named(runMetrics(result({ outcomes: [verified] }), RECYCLER), 'FailedRecoveries')).toEqual([{ name: 'FailedRecoveries', unit: 'Count', value: 0 }]);
    expect(named(runMetrics(result({ outcomes: [failed] }), RECYCLER), 'FailedRecoveries')).toEqual([{ name: 'FailedRecoveries', unit: 'Count', value: 1 }]);
  });

  it('counts skips by reason across the groups of a tick', () => {
    const points = runMetrics(result({ decisions: [skip('a', 'outside-window'), skip('b', 'outside-window'), skip('c', 'budget-spent')] }), RECYCLER);
    expect(named(points, 'Skipped')).toEqual([
      { name: 'Skipped', unit: 'Count', value: 2, dimensions: { reason: 'outside-window' } },
      { name: 'Skipped', unit: 'Count', value: 1, dimensions: { reason: 'budget-spent' } },
    ]);
  });

  it("reads the fleet's ages against each group's max-age, leaving disabled groups out", () => {
    const points = runMetrics(result(), RECYCLER);
    expect(named(points, 'OldestInstanceAgeHours')).toEqual([{ name: 'OldestInstanceAgeHours', unit: 'None', value: 9 * 24, group: 'web' }]);
    expect(named(points, 'InstancesOverMaxAge')).toEqual([{ name: 'InstancesOverMaxAge', unit: 'Count', value: 1 }]);
    expect(named(points, 'MaxAgeOverrunHours')).toEqual([{ name: 'MaxAgeOverrunHours', unit: 'None', value: 2 * 24, group: 'web' }]);
    expect(named(points, 'QuarantinedGroups')).toEqual([{ name: 'QuarantinedGroups', unit: 'Count', value: 1 }]);
    expect(named(runMetrics(result({ blockedVersions: 2 }), RECYCLER), 'BlockedVersions')).toEqual([{ name: 'BlockedVersions', unit: 'Count', value: 2 }]);
  });

  it('reports no overrun when every instance is within its max-age, and counts a group quarantined in this run', () => {
    const young = group({ name: 'web', size: 2 });
    const quarantine: ActionOutcome = { group: 'web', kind: 'quarantined', record: record({ phase: 'failed' }) };
    const points = runMetrics(result({ groups: [young], outcomes: [quarantine] }), RECYCLER);
    expect(named(points, 'MaxAgeOverrunHours')).toEqual([{ name: 'MaxAgeOverrunHours', unit: 'None', value: 0 }]);
    expect(named(points, 'InstancesOverMaxAge')[0]?.value).toBe(0);
    expect(named(points, 'QuarantinedGroups')[0]?.value).toBe(1);
    expect(named(points, 'OldestInstanceAgeHours')[0]?.value).toBe(48);
  });

  it('a verifier run publishes no fleet figures or skips: it reads only the groups with a replacement open', () => {
    const points = runMetrics(result({ decisions: [skip('api', 'verify-only')] }), { ...RECYCLER, role: 'verifier' });
    expect(new Set(points.map((point) => point.name))).toEqual(new Set(['TickDurationMs', 'ApiCalls', 'FailedRecoveries']));
  });

  it('with per-group metrics, adds a group dimension copy of the six group-level metrics beside the account ones', () => {
    const verified: ActionOutcome = { group: 'web', kind: 'closed', record: record({ startedAt: NOW - HOUR, closedAt: NOW, phase: 'verified' }) };
    const points = runMetrics(result({ outcomes: [terminated('web', 'max-age'), verified] }), { ...RECYCLER, dimensions: 'group' });
    const perGroup = points.filter((point) => point.dimensions?.['group'] !== undefined);
    expect(new Set(perGroup.map((point) => point.name))).toEqual(
      new Set(['Recycled', 'RecoverySeconds', 'OldestInstanceAgeHours', 'InstancesOverMaxAge', 'MaxAgeOverrunHours']),
    );
    expect(perGroup.filter((point) => point.dimensions?.['group'] === 'old-off')).toEqual([]);
    expect(perGroup).toContainEqual({ name: 'MaxAgeOverrunHours', unit: 'None', value: 48, dimensions: { group: 'web' } });
    // The account-level series stay whole: the per-group ones are copies, never instead.
    expect(named(points, 'Recycled')).toContainEqual({ name: 'Recycled', unit: 'Count', value: 1, dimensions: { reason: 'max-age' }, group: 'web' });
    expect(named(points, 'OldestInstanceAgeHours')).toContainEqual({ name: 'OldestInstanceAgeHours', unit: 'None', value: 216, group: 'web' });
    const failed: ActionOutcome = { group: 'api', kind: 'closed', record: record({ group: 'api', phase: 'failed', closedAt: NOW }) };
    expect(named(runMetrics(result({ outcomes: [failed] }), { ...RECYCLER, dimensions: 'group' }), 'FailedRecoveries')).toEqual([
      { name: 'FailedRecoveries', unit: 'Count', value: 1, dimensions: { group: 'api' } },
      { name: 'FailedRecoveries', unit: 'Count', value: 1 },
    ]);
  });

  it('names only metrics the list describes', () => {
    const points = runMetrics(result({ outcomes: [terminated('web', 'max-age')] }), { ...RECYCLER, dimensions: 'group' });
    for (const point of points) expect(Object.keys(METRICS)).toContain(point.name);
  });
});
