import { describe, expect, it } from 'vitest';
import { DAY } from '../../functions/core/model.js';
import { parseSnoozeUntil } from '../../functions/core/policy/snooze.js';
import { buildScenario, buildScript } from '../../sim/scenarios.js';
import type { ScriptEvent } from '../../sim/script.js';
import { DEFAULT_SIMULATION, simulate } from '../../sim/simulate.js';
import { NO_VIOLATIONS } from '../support/violations.js';

const OPTIONS = { ...DEFAULT_SIMULATION, scenario: 'snooze' as const };

function snoozeWrites(events: readonly ScriptEvent[]): Extract<ScriptEvent, { kind: 'set-tag' }>[] {
  return events.flatMap((event) => (event.kind === 'set-tag' && event.key === 'phoenix:snooze-until' ? [event] : []));
}

describe('the snooze script', () => {
  const fleet = buildScenario('snooze', OPTIONS);
  const script = buildScript('snooze', fleet, OPTIONS);
  const writes = snoozeWrites(script.events);

  it('runs on the steady fleet and is the same for the same seed, another for another', () => {
    expect(fleet).toEqual(buildScenario('steady', OPTIONS));
    expect(buildScript('snooze', fleet, OPTIONS)).toEqual(script);
    expect(buildScript('snooze', fleet, { ...OPTIONS, seed: 2 })).not.toEqual(script);
  });

  it('asks for recycles on live groups, snoozed or not', () => {
    expect(script.events.filter((event) => event.kind === 'request-recycle').length).toBe(4 * OPTIONS.days);
  });

  it('writes snoozes, values too far ahead, long past and malformed, and touches instances in snoozed groups', () => {
    const kinds = new Set(
      writes.map((write) => {
        const until = parseSnoozeUntil(write.value ?? '')?.until;
        if (until === undefined) return 'malformed';
        if (until < write.at - DAY) return 'long past';
        return until - write.at > DAY ? 'too far ahead' : 'snooze';
      }),
    );
    expect([...kinds].sort()).toEqual(['long past', 'malformed', 'snooze', 'too far ahead']);
    const snoozed = new Set(writes.map((write) => write.group));
    expect(script.events.some((event) => event.kind === 'touch' && typeof event.group === 'string' && snoozed.has(event.group))).toBe(true);
  });

  it('takes each value away before the next one, so a removal never takes a newer value (a colleague writing the same value again ends with it)', () => {
    const byGroup = new Map<string, typeof writes>();
    for (const write of writes) byGroup.set(String(write.group), [...(byGroup.get(String(write.group)) ?? []), write]);
    for (const list of byGroup.values()) {
      const values = list.filter((write, index) => write.value !== list[index - 1]?.value);
      for (const [index, write] of values.entries()) {
        const next = values[index + 1];
        if (next !== undefined) expect(write.at + (write.lasts ?? Infinity)).toBeLessThan(next.at);
      }
      for (const [index, write] of list.entries()) {
        const previous = list[index - 1];
        if (previous !== undefined && previous.value === write.value)
          expect(write.at + (write.lasts ?? Infinity)).toBe(previous.at + (previous.lasts ?? Infinity));
      }
    }
  });

  it("delivers CloudTrail's records in both orders around the first tick that reads the value, and a rewrite's before and after the first write's", () => {
    const records = script.events.flatMap((event) => (event.kind === 'cloudtrail' ? [event] : []));
    const detail = (record: (typeof records)[number]) => record.record['detail'] as Record<string, unknown>;
    const written = (record: (typeof records)[number]) => Date.parse(String(detail(record)['eventTime']));
    const nextTick = (at: number) => Math.ceil((at - OPTIONS.start) / OPTIONS.tickInterval) * OPTIONS.tickInterval + OPTIONS.start;
    expect(records.some((record) => record.at < nextTick(written(record)))).toBe(true);
    expect(records.some((record) => record.at > nextTick(written(record)) + OPTIONS.tickInterval)).toBe(true);
    // Two records of one value in one group: whether the first write's arrived after the rewrite's.
    const firstArrivedLast = records.flatMap((record, index) =>
      records.slice(index + 1).flatMap((other) => {
        if (JSON.stringify(detail(other)['requestParameters']) !== JSON.stringify(detail(record)['requestParameters'])) return [];
        const [first, rewrite] = written(record) < written(other) ? [record, other] : [other, record];
        return [first.at > rewrite.at];
      }),
    );
    expect(new Set(firstArrivedLast)).toEqual(new Set([true, false]));
    // Every write names its writer; some groups have no trail, so fewer records than writes.
    expect(writes.every((write) => write.by !== undefined)).toBe(true);
    expect(records.length).toBeLessThan(writes.length);
  });
});

describe.each([1, 2, 3])('the snooze scenario, seed %i', (seed) => {
  it('breaks no safety rule while owners snooze, exceed the weekly limit and write bad values', async () => {
    const { summary } = await simulate({ ...OPTIONS, seed });
    expect(summary.violations).toEqual(NO_VIOLATIONS);
    expect(summary.terminationsAfterQuarantine).toBe(0);
    const snooze = summary.snooze;
    expect(snooze).toBeDefined();
    // Every kind happened, so a zero above is a judgement, not an absence.
    expect(snooze?.honourable).toBeGreaterThan(0);
    expect(snooze?.overLimit).toBeGreaterThan(0);
    expect(snooze?.bad).toBeGreaterThan(0);
    expect(snooze?.taintedReplacedWhileSnoozed).toBeGreaterThan(0);
    expect(summary.skips.snoozed).toBeGreaterThan(0);
    expect(summary.skips['bad-tags']).toBeGreaterThan(0);
    // Requests are served through the same gates: most by the end of the week, each as a requested recycle.
    expect(snooze?.recycleRequests.made).toBeGreaterThan(0);
    expect(snooze?.recycleRequests.served).toBeGreaterThan(snooze ? snooze.recycleRequests.made / 2 : 0);
    expect(summary.terminations.requested).toBeGreaterThanOrEqual(snooze?.recycleRequests.served ?? Infinity);
    // Who set each snooze, from CloudTrail's records in any order: never anyone but its first writer.
    expect(snooze?.setters.wrong).toBe(0);
    expect(snooze?.setters.right).toBeGreaterThan(0);
    expect(snooze?.setters.unknown).toBeGreaterThan(0);
  });
});
