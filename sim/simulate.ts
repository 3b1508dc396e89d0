import type { ActionOutcome, TickResult } from '../functions/app/tick.js';
import { runTick } from '../functions/app/tick.js';
import type { SkipReason } from '../functions/core/decision.js';
import type { Logger } from '../functions/core/ports.js';
import type { Millis, RecycleReason } from '../functions/core/model.js';
import { DAY, MINUTE } from '../functions/core/model.js';
import { seededRandom } from '../functions/core/random.js';
import { SimFleet } from './fleet.js';
import { MemoryEvents, MemoryLedger, SimAlarms, SimSettings } from './ledger.js';
import type { ScenarioName } from './scenarios.js';
import { buildScenario } from './scenarios.js';

export const SCENARIOS: readonly ScenarioName[] = ['steady', 'bad-tags'];

export interface SimulationOptions {
  readonly scenario: ScenarioName;
  readonly groups: number;
  readonly size: number;
  readonly days: number;
  readonly seed: number;
  readonly tickInterval: Millis;
  /** The virtual clock's start; a Monday midnight UTC so windows line up with the week. */
  readonly start: Millis;
}

export const DEFAULT_SIMULATION: SimulationOptions = {
  scenario: 'steady',
  groups: 50,
  size: 20,
  days: 7,
  seed: 1,
  tickInterval: 10 * MINUTE,
  start: Date.UTC(2026, 10, 16),
};

export type Violations = ReturnType<SimFleet['violations']>;

/** The object `phoenix simulate --json` prints (SPEC "Operator CLI"). */
export interface SimulationSummary {
  readonly scenario: ScenarioName;
  readonly seed: number;
  readonly days: number;
  readonly groups: number;
  readonly instances: number;
  readonly ticks: number;
  readonly terminations: Record<RecycleReason, number>;
  readonly recoveries: { verified: number; failed: number; p50Seconds: number; p95Seconds: number; maxSeconds: number };
  readonly quarantined: string[];
  readonly skips: Partial<Record<SkipReason, number>>;
  readonly violations: Violations;
  readonly withinMaxAgePct: number;
  readonly oldestInstanceHours: number;
  readonly failedActions: number;
  readonly blockedTicks: number;
}

export interface GroupSummary {
  readonly group: string;
  readonly mode: string;
  readonly recycled: Record<RecycleReason, number>;
  readonly wouldRecycle: number;
  readonly skips: Partial<Record<SkipReason, number>>;
  readonly recoverySeconds: number[];
  readonly oldestInstanceHours: number | undefined;
  readonly quarantined: boolean;
}

export interface SimulationResult {
  readonly summary: SimulationSummary;
  readonly groups: readonly GroupSummary[];
  readonly ticks: readonly TickResult[];
}

/** Nearest-rank percentile; 0 for no samples. */
export function percentile(samples: readonly number[], fraction: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] as number;
}

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function zeroReasons(): Record<RecycleReason, number> {
  return { tainted: 0, 'stale-config': 0, 'max-age': 0, chaos: 0 };
}

class Tally {
  private readonly byGroup = new Map<string, { mode: string; recycled: Record<RecycleReason, number>; wouldRecycle: number; skips: Partial<Record<SkipReason, number>>; recoverySeconds: number[]; quarantined: boolean }>();
  readonly terminations = zeroReasons();
  readonly skips: Partial<Record<SkipReason, number>> = {};
  readonly recoverySeconds: number[] = [];
  readonly quarantined: string[] = [];
  verified = 0;
  failed = 0;
  failedActions = 0;
  blockedTicks = 0;

  private group(name: string) {
    let entry = this.byGroup.get(name);
    if (entry === undefined) {
      entry = { mode: '-', recycled: zeroReasons(), wouldRecycle: 0, skips: {}, recoverySeconds: [], quarantined: false };
      this.byGroup.set(name, entry);
    }
    return entry;
  }

  add(tick: TickResult): void {
    if (tick.block !== undefined) this.blockedTicks += 1;
    for (const decision of tick.decisions) {
      const entry = this.group(decision.group);
      entry.mode = decision.mode ?? 'bad-tags';
      if (decision.kind === 'skip') {
        this.skips[decision.reason] = (this.skips[decision.reason] ?? 0) + 1;
        entry.skips[decision.reason] = (entry.skips[decision.reason] ?? 0) + 1;
      } else if (decision.kind === 'start' && decision.dryRun) {
        entry.wouldRecycle += 1;
      }
    }
    for (const outcome of tick.outcomes) this.addOutcome(outcome);
  }

  private addOutcome(outcome: ActionOutcome): void {
    const entry = this.group(outcome.group);
    switch (outcome.kind) {
      case 'terminated':
        this.terminations[outcome.record.reason] += 1;
        entry.recycled[outcome.record.reason] += 1;
        return;
      case 'closed':
        if (outcome.record.phase === 'verified' && outcome.record.closedAt !== undefined) {
          const seconds = Math.round((outcome.record.closedAt - outcome.record.startedAt) / 1000);
          this.verified += 1;
          this.recoverySeconds.push(seconds);
          entry.recoverySeconds.push(seconds);
        } else if (outcome.record.phase === 'failed') {
          this.failed += 1;
        }
        return;
      case 'quarantined':
        this.quarantined.push(outcome.group);
        entry.quarantined = true;
        return;
      case 'failed':
        this.failedActions += 1;
        return;
      case 'started':
      case 'not-acted':
        return;
    }
  }

  groups(fleet: SimFleet, until: Millis): GroupSummary[] {
    return [...this.byGroup.entries()]
      .map(([group, entry]) => ({ group, ...entry, oldestInstanceHours: fleet.oldestInstanceHours(group, until) }))
      .sort((a, b) => a.group.localeCompare(b.group));
  }
}

/** Runs the real recycler on the fleet simulator over a virtual clock: same options, same result. */
export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const specs = buildScenario(options.scenario, { groups: options.groups, size: options.size, seed: options.seed, start: options.start });
  const fleet = new SimFleet({ start: options.start, random: seededRandom(options.seed), groups: specs });
  const deps = {
    fleet,
    ledger: new MemoryLedger(),
    events: new MemoryEvents(),
    alarms: new SimAlarms(),
    settings: new SimSettings(),
    logger: silentLogger,
    random: seededRandom(options.seed ^ 0x5eed),
  };
  const settings = { tickInterval: options.tickInterval, blackouts: [], stopAlarms: [], maxTerminationsPerRun: 100 };
  const end = options.start + options.days * DAY;
  const tally = new Tally();
  const ticks: TickResult[] = [];
  for (let now = options.start; now < end; now += options.tickInterval) {
    fleet.advanceTo(now);
    const tick = await runTick(deps, settings, now);
    tally.add(tick);
    ticks.push(tick);
  }
  fleet.advanceTo(end);
  const ages = fleet.ageStats({ until: end, tolerance: options.tickInterval });
  const summary: SimulationSummary = {
    scenario: options.scenario,
    seed: options.seed,
    days: options.days,
    groups: specs.length,
    instances: specs.reduce((sum: number, spec) => sum + spec.desired, 0),
    ticks: ticks.length,
    terminations: tally.terminations,
    recoveries: {
      verified: tally.verified,
      failed: tally.failed,
      p50Seconds: percentile(tally.recoverySeconds, 0.5),
      p95Seconds: percentile(tally.recoverySeconds, 0.95),
      maxSeconds: percentile(tally.recoverySeconds, 1),
    },
    quarantined: tally.quarantined,
    skips: tally.skips,
    violations: fleet.violations(),
    withinMaxAgePct: Math.round(ages.withinMaxAgePct * 1000) / 1000,
    oldestInstanceHours: Math.round(ages.oldestInstanceHours * 10) / 10,
    failedActions: tally.failedActions,
    blockedTicks: tally.blockedTicks,
  };
  return { summary, groups: tally.groups(fleet, end), ticks };
}
