import type { PlanInput } from '../../functions/core/decide/plan.js';
import { DEFAULT_BREAKER } from '../../functions/core/decide/versions.js';
import type { Group, Instance, ReplacementRecord } from '../../functions/core/model.js';
import { DAY, MINUTE } from '../../functions/core/model.js';
import { NO_ACCOUNT_LIMITS } from '../../functions/core/policy/tags.js';
import { NOW } from './clock.js';

/** The tests' usual instant lives with the others in clock.ts; builders here default to it. */
export { NOW };

/** The tag that opts a group in, live; spread it into a test's tags: `{ ...OPTED_IN, 'phoenix:max-age': '7d' }`. */
export const OPTED_IN = { 'phoenix:enabled': 'true' } as const;

export function instance(overrides: Partial<Instance> & { readonly id: string }): Instance {
  return {
    lifecycleState: 'InService',
    healthy: true,
    launchedAt: NOW - DAY,
    protectedFromScaleIn: false,
    tags: {},
    launchSource: { kind: 'template', id: 'lt-1', version: '1' },
    ...overrides,
  };
}

/** A stable, opted-in group of `size` instances aged 1..size days (i-1 is the oldest). */
export function group(overrides: Partial<Group> & { readonly size?: number } = {}): Group {
  const { size = 4, ...rest } = overrides;
  const instances = Array.from({ length: size }, (_, index) => instance({ id: `i-${index + 1}`, launchedAt: NOW - (size - index) * DAY }));
  return {
    name: 'web',
    desired: size,
    min: 1,
    max: size + 2,
    tags: { ...OPTED_IN, 'phoenix:max-age': '7d' },
    instances,
    suspendedProcesses: [],
    scalingActivityInProgress: false,
    instanceRefreshInProgress: false,
    launchSource: { kind: 'template', id: 'lt-1', version: '1' },
    ...rest,
  };
}

export function withTags(base: Group, tags: Readonly<Record<string, string>>): Group {
  return { ...base, tags: { ...base.tags, ...tags } };
}

export function planInput(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    groups: [group()],
    records: [],
    snoozes: [],
    now: NOW,
    chaosDraws: () => () => 0.5,
    tickInterval: 10 * MINUTE,
    globalMode: 'live',
    globalBlock: undefined,
    maxTerminationsPerRun: 10,
    limits: NO_ACCOUNT_LIMITS,
    explain: false,
    progressOnly: false,
    versionBlocks: [],
    breaker: DEFAULT_BREAKER,
    ...overrides,
  };
}

/** Overrides may set an optional field to undefined to leave it out (an open record has no closedAt). */
export type RecordOverrides = { readonly [Key in keyof ReplacementRecord]?: ReplacementRecord[Key] | undefined };

export function record(overrides: RecordOverrides = {}): ReplacementRecord {
  const merged: Record<string, unknown> = {
    id: 'web#1',
    group: 'web',
    instanceId: 'i-1',
    reason: 'max-age',
    mode: 'live',
    instanceAgeSeconds: 8 * 86_400,
    startedAt: NOW - 30 * MINUTE,
    phase: 'verified',
    terminatedAt: NOW - 20 * MINUTE,
    closedAt: NOW - 10 * MINUTE,
    ...overrides,
  };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return merged as unknown as ReplacementRecord;
}

/** The same surge six minutes after i-1's termination: desired lowered with it, recovery not yet verified. */
export function terminatingSurgeRecord(overrides: RecordOverrides = {}): ReplacementRecord {
  return record({
    phase: 'terminating',
    startedAt: NOW - 12 * MINUTE,
    terminatedAt: NOW - 6 * MINUTE,
    closedAt: undefined,
    surge: { fromDesired: 4, toDesired: 5 },
    ...overrides,
  });
}

/** An open surge of the fixture group: desired raised from 4 to 5 ten minutes ago to replace i-1. */
export function surgingRecord(overrides: RecordOverrides = {}): ReplacementRecord {
  return record({
    phase: 'surging',
    startedAt: NOW - 10 * MINUTE,
    terminatedAt: undefined,
    closedAt: undefined,
    surge: { fromDesired: 4, toDesired: 5 },
    ...overrides,
  });
}
