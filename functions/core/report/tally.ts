import type { Millis, RecycleReason, ReplacementRecord } from '../model.js';
import type { Day } from './iso-week.js';
import { nearestRank, sum } from './numbers.js';
import type { DayFigures, RecoveryStats, TaintedResponse, WeekChange, WeekFigures } from './schema.js';

/** What a set of records says about one period: the counting rules of the whole report live here. */
export interface PeriodTally {
  readonly recycled: Record<RecycleReason, number>;
  readonly wouldRecycle: Record<RecycleReason, number>;
  readonly recoverySeconds: number[];
  readonly failed: ReplacementRecord[];
  /** Touch to termination of the tainted instances recycled, where the record has the touch. */
  readonly taintedSeconds: number[];
}

export function zeroReasons(): Record<RecycleReason, number> {
  return { 'max-age': 0, chaos: 0, tainted: 0, 'stale-config': 0, requested: 0 };
}

export function isoTime(at: Millis): string {
  return new Date(at).toISOString();
}

function inRange(at: Millis | undefined, from: Millis, to: Millis): boolean {
  return at !== undefined && at >= from && at < to;
}

function recoverySeconds(record: ReplacementRecord): number | undefined {
  return record.phase === 'verified' && record.closedAt !== undefined ? Math.round((record.closedAt - record.startedAt) / 1000) : undefined;
}

export function tallyPeriod(records: readonly ReplacementRecord[], from: Millis, to: Millis): PeriodTally {
  const tally: PeriodTally = { recycled: zeroReasons(), wouldRecycle: zeroReasons(), recoverySeconds: [], failed: [], taintedSeconds: [] };
  for (const record of records) {
    const { terminatedAt, touchedAt } = record;
    // A live replacement counts when the instance actually went, whenever it was started.
    if (record.mode === 'live' && inRange(terminatedAt, from, to)) {
      tally.recycled[record.reason] += 1;
      if (record.reason === 'tainted' && touchedAt !== undefined && terminatedAt !== undefined) {
        tally.taintedSeconds.push(Math.max(0, Math.round((terminatedAt - touchedAt) / 1000)));
      }
    }
    // Dry-run records never terminate: the decision time is the only time they have.
    if (record.mode === 'dry-run' && inRange(record.startedAt, from, to)) tally.wouldRecycle[record.reason] += 1;
    const seconds = recoverySeconds(record);
    if (seconds !== undefined && inRange(record.closedAt, from, to)) tally.recoverySeconds.push(seconds);
    if (record.phase === 'failed' && inRange(record.closedAt ?? record.startedAt, from, to)) tally.failed.push(record);
  }
  return tally;
}

export function recoveryStats(seconds: readonly number[]): RecoveryStats {
  const sorted = [...seconds].sort((a, b) => a - b);
  return { verified: sorted.length, p50Seconds: nearestRank(sorted, 0.5), p95Seconds: nearestRank(sorted, 0.95), maxSeconds: nearestRank(sorted, 1) };
}

export function taintedResponse(seconds: readonly number[]): TaintedResponse {
  const sorted = [...seconds].sort((a, b) => a - b);
  return { count: sorted.length, p50Seconds: nearestRank(sorted, 0.5), maxSeconds: nearestRank(sorted, 1) };
}

export function dailyFigures(records: readonly ReplacementRecord[], days: readonly Day[]): DayFigures[] {
  return days.map((day) => {
    const tally = tallyPeriod(records, day.start, day.end);
    return {
      date: day.date,
      start: isoTime(day.start),
      end: isoTime(day.end),
      recycled: tally.recycled,
      recycledTotal: sum(Object.values(tally.recycled)),
      failures: tally.failed.length,
    };
  });
}

export function weekFigures(tally: PeriodTally): WeekFigures {
  return { recycled: sum(Object.values(tally.recycled)), failures: tally.failed.length, p95Seconds: recoveryStats(tally.recoverySeconds).p95Seconds };
}

export function change(current: WeekFigures, previous: WeekFigures): WeekChange {
  const p95 = current.p95Seconds === null || previous.p95Seconds === null ? null : current.p95Seconds - previous.p95Seconds;
  return { recycled: current.recycled - previous.recycled, failures: current.failures - previous.failures, p95Seconds: p95 };
}
