// The weekly report's fixtures, shared by the model's tests and the renderers'.
import type { Group, Millis, RecycleReason, ReplacementRecord } from '../../functions/core/model.js';
import { DAY, HOUR, MINUTE, WEEK } from '../../functions/core/model.js';
import type { GroupReport, TrendWeekBounds, WeeklyReport, WeeklyReportInput } from '../../functions/core/report/schema.js';
import { weeklyReport } from '../../functions/core/report/weekly.js';
import { SIM_START } from '../support/clock.js';
import { instance, OPTED_IN } from '../support/fleet.js';

/** ISO week 2026-W47 in UTC, the week the simulations in the tests run: Monday 16 November 2026 00:00 to Monday 23 November 00:00. */
export const START: Millis = SIM_START;
export const END: Millis = START + WEEK;

export const LIVE = { ...OPTED_IN, 'phoenix:max-age': '7d' } as const;
export const DRY_RUN = { 'phoenix:enabled': 'dry-run', 'phoenix:max-age': '7d' } as const;

/** A group of `size` instances, all launched `ageAtEnd` before the end of the week. */
export function fleetGroup(name: string, tags: Record<string, string>, options: { size?: number; ageAtEnd?: Millis } = {}): Group {
  const { size = 4, ageAtEnd = 2 * DAY } = options;
  return {
    name,
    desired: size,
    min: 1,
    max: size + 1,
    tags,
    instances: Array.from({ length: size }, (_, index) => instance({ id: `${name}-i${index}`, launchedAt: END - ageAtEnd + index * HOUR })),
    suspendedProcesses: [],
    scalingActivityInProgress: false,
    instanceRefreshInProgress: false,
    launchSource: undefined,
  };
}

let sequence = 0;

/** A live replacement terminated at `terminatedAt`, verified `recoverySeconds` after it started. */
export function recycled(group: string, reason: RecycleReason, terminatedAt: Millis, recoverySeconds = 300): ReplacementRecord {
  sequence += 1;
  const startedAt = terminatedAt - MINUTE;
  return {
    id: `${group}#${sequence}`,
    group,
    instanceId: `i-${sequence}`,
    reason,
    mode: 'live',
    instanceAgeSeconds: 8 * 86_400,
    startedAt,
    phase: 'verified',
    terminatedAt,
    closedAt: startedAt + recoverySeconds * 1000,
  };
}

export function failed(group: string, terminatedAt: Millis, detail: string): ReplacementRecord {
  return { ...recycled(group, 'max-age', terminatedAt), phase: 'failed', closedAt: terminatedAt + 20 * MINUTE, detail };
}

export function wouldRecycle(group: string, reason: RecycleReason, at: Millis): ReplacementRecord {
  sequence += 1;
  return {
    id: `${group}#${sequence}`,
    group,
    instanceId: `i-${sequence}`,
    reason,
    mode: 'dry-run',
    instanceAgeSeconds: 8 * 86_400,
    startedAt: at,
    phase: 'dry-run',
    closedAt: at,
  };
}

/** A tainted instance recycled `responseSeconds` after its last touch. */
export function taintedAfter(group: string, terminatedAt: Millis, responseSeconds: number): ReplacementRecord {
  return { ...recycled(group, 'tainted', terminatedAt), touchedAt: terminatedAt - responseSeconds * 1000 };
}

/** The eight ISO weeks 2026-W40 to 2026-W47, oldest first: all in UTC winter time, so each is exactly a week. */
export function trendWeeks(): TrendWeekBounds[] {
  return Array.from({ length: 8 }, (_, index) => ({ week: `2026-W${40 + index}`, start: START - (7 - index) * WEEK, end: END - (7 - index) * WEEK }));
}

export function report(overrides: Partial<WeeklyReportInput> = {}): WeeklyReport {
  return weeklyReport({ weekStart: START, weekEnd: END, records: [], groups: [], skips: [], now: END, ...overrides });
}

export function groupOf(result: WeeklyReport, name: string): GroupReport {
  const found = result.groups.find((group) => group.group === name);
  if (found === undefined) throw new Error(`no group ${name} in the report`);
  return found;
}

/** A quarantine reason written to fake a report: headings, a figure, a link, HTML, code, a table row, every kind of line break. */
export const HOSTILE_REASON = [
  'disk full',
  '## Needs attention',
  '- **Failures:** 0',
  '[all clear](http://evil.example/login)',
  '<script>alert(1)</script>',
  '`rm -rf /` | a | b |',
  '# Fake title\r\n### Fake section\u2028## Fake 2\u2029## Fake 3\u0085## Fake 4\u000b&#10;## Fake 5 \u202egnp.exe',
].join('\n');
export const HOSTILE_GROUP = 'web|prod\n# Owned [x](http://evil.example) *bold* _em_ ~~del~~ <b>';

/**
 * A week whose group name, quarantine reason, failure detail, instance id and a bad tag value are
 * the given texts: called with hostile texts, and with harmless ones for the shape it must keep.
 */
export function weekWithTexts(group: string, reason: string): WeeklyReport {
  return report({
    week: '2026-W47',
    records: [recycled(group, 'max-age', START + DAY), { ...failed(group, START + 2 * DAY, reason), instanceId: reason }],
    groups: [fleetGroup(group, { ...LIVE, 'phoenix:quarantined': reason }), fleetGroup(`${group}-bad`, { ...OPTED_IN, 'phoenix:max-age': reason })],
  });
}
