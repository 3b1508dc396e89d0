import { describe, expect, it } from 'vitest';
import type { PhoenixEvent } from '../../functions/core/events.js';
import type { ReplacementPhase, ReplacementRecord } from '../../functions/core/model.js';
import { DAY, MINUTE } from '../../functions/core/model.js';
import { MemoryEvents } from '../../sim/memory-events.js';
import { MemoryLedger } from '../../sim/memory-ledger.js';
import { SimAlarms } from '../../sim/sim-alarms.js';
import { SimSettings } from '../../sim/sim-settings.js';
import { SIM_START_NOON } from '../support/clock.js';

function record(overrides: Partial<ReplacementRecord> = {}): ReplacementRecord {
  return {
    id: `web#${overrides.startedAt ?? SIM_START_NOON}`,
    group: 'web',
    instanceId: 'i-1',
    reason: 'max-age',
    mode: 'live',
    instanceAgeSeconds: 8 * 86_400,
    startedAt: SIM_START_NOON,
    phase: 'surging',
    ...overrides,
  };
}

describe('MemoryLedger.begin', () => {
  it.each([
    { case: 'an empty ledger', existing: [], next: record(), result: 'created' },
    { case: 'an open record in the group', existing: [record({ id: 'old', phase: 'terminating' })], next: record(), result: 'conflict' },
    { case: 'an open record in another group', existing: [record({ id: 'old', group: 'api' })], next: record(), result: 'created' },
    { case: 'only closed records in the group', existing: [record({ id: 'old', phase: 'verified' })], next: record(), result: 'created' },
    { case: 'a dry-run record beside an open one', existing: [record({ id: 'old' })], next: record({ mode: 'dry-run', phase: 'dry-run' }), result: 'created' },
  ] as const)('$case: $result', async ({ existing, next, result }) => {
    const ledger = new MemoryLedger(existing);
    expect(await ledger.begin(next)).toBe(result);
    expect(ledger.all().some((stored) => stored.id === next.id)).toBe(result === 'created');
  });

  it('lets exactly one of two overlapping begins in one group through', async () => {
    const ledger = new MemoryLedger();
    const results = await Promise.all([ledger.begin(record({ id: 'a' })), ledger.begin(record({ id: 'b' }))]);
    expect([...results].sort()).toEqual(['conflict', 'created']);
    expect(ledger.all()).toHaveLength(1);
  });

  it('lets overlapping begins in different groups all through', async () => {
    const ledger = new MemoryLedger();
    const groups = ['a', 'b', 'c', 'd'];
    const results = await Promise.all(groups.map((group) => ledger.begin(record({ id: group, group }))));
    expect(results).toEqual(['created', 'created', 'created', 'created']);
  });
});

describe('MemoryLedger.update', () => {
  it.each<{ case: string; expected: ReplacementPhase; id: string; result: string }>([
    { case: 'the stored phase matches', expected: 'surging', id: 'r', result: 'updated' },
    { case: 'the stored phase moved on', expected: 'terminating', id: 'r', result: 'conflict' },
    { case: 'no such record', expected: 'surging', id: 'other', result: 'conflict' },
  ])('$case: $result', async ({ expected, id, result }) => {
    const ledger = new MemoryLedger([record({ id: 'r' })]);
    expect(await ledger.update(record({ id, phase: 'terminating' }), expected)).toBe(result);
    expect(ledger.all().find((stored) => stored.id === 'r')?.phase).toBe(result === 'updated' ? 'terminating' : 'surging');
  });

  it('lets exactly one of two overlapping updates from the same phase through', async () => {
    const ledger = new MemoryLedger([record({ id: 'r' })]);
    const results = await Promise.all([
      ledger.update(record({ id: 'r', phase: 'terminating' }), 'surging'),
      ledger.update(record({ id: 'r', phase: 'abandoned' }), 'surging'),
    ]);
    expect(results).toEqual(['updated', 'conflict']);
    expect(ledger.all()[0]?.phase).toBe('terminating');
  });
});

describe('MemoryLedger.recordsSince', () => {
  it('returns recent records since a time, every open one however old, and named groups alone', async () => {
    const ledger = new MemoryLedger([
      record({ id: 'old-closed', startedAt: SIM_START_NOON - 10 * DAY, phase: 'verified' }),
      record({ id: 'old-open', group: 'api', startedAt: SIM_START_NOON - 10 * DAY, phase: 'terminating' }),
      record({ id: 'recent', startedAt: SIM_START_NOON - MINUTE, phase: 'failed' }),
    ]);
    expect((await ledger.recordsSince(SIM_START_NOON - DAY)).records.map((stored) => stored.id)).toEqual(['recent']);
    expect((await ledger.openRecords()).records.map((stored) => stored.id)).toEqual(['old-open']);
    expect((await ledger.groupRecordsSince(['api'], SIM_START_NOON - 20 * DAY)).map((stored) => stored.id)).toEqual(['old-open']);
  });

  it('keeps its own copy of each record', async () => {
    const original = { ...record() };
    const ledger = new MemoryLedger();
    await ledger.begin(original);
    Object.assign(original, { phase: 'verified' });
    expect(ledger.all()[0]?.phase).toBe('surging');
    expect(Object.isFrozen(ledger.all()[0])).toBe(true);
  });
});

describe('simulated events, alarms and settings', () => {
  it('MemoryEvents collects what is published, in order', async () => {
    const events = new MemoryEvents();
    const event: PhoenixEvent = {
      detailType: 'Group Quarantined',
      time: new Date(SIM_START_NOON).toISOString(),
      detail: { group: 'web', reason: 'x', since: 'now', owner: null },
    };
    await events.publish([event]);
    await events.publish([]);
    await events.publish([event, event]);
    expect(events.all()).toHaveLength(3);
  });

  it('SimAlarms reports only the asked-for alarms in ALARM', async () => {
    const alarms = new SimAlarms();
    alarms.set('errors', 'ALARM');
    alarms.set('latency', 'ALARM');
    alarms.set('latency', 'OK');
    alarms.set('other', 'ALARM');
    expect(await alarms.alarmsInAlarm(['errors', 'latency', 'unknown'])).toEqual(['errors']);
  });

  it('SimSettings starts live and switches at run time', async () => {
    const settings = new SimSettings();
    expect(await settings.globalMode()).toBe('live');
    settings.setMode('off');
    expect(await settings.globalMode()).toBe('off');
  });
});
