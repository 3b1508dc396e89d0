import { runTime } from '../functions/app/config.js';
import { errorText } from '../functions/app/errors.js';
import { runSelftest, SelftestRefusedError } from '../functions/app/selftest.js';
import type { ActionOutcome, TickDependencies, TickResult } from '../functions/app/tick.js';
import { runTick } from '../functions/app/tick.js';
import { isStale } from '../functions/core/decide/candidates.js';
import type { SkipReason } from '../functions/core/decide/decision.js';
import { ineligibility } from '../functions/core/decide/fleet-state.js';
import { seededRandom } from '../functions/core/decide/random.js';
import type { Group, Millis, OutboxEvent, RecycleReason, ReplacementRecord } from '../functions/core/model.js';
import { DAY, MINUTE } from '../functions/core/model.js';
import type { Logger } from '../functions/core/ports.js';
import type { LifecycleEvent, PhoenixCall, SimGroupSpec } from './fleet.js';
import { SimFleet } from './fleet.js';
import { TimeQueue } from './heap.js';
import { interposeEvents, interposeFleet, interposeLedger, Kill } from './interpose.js';
import { livePolicy } from './live.js';
import { MemoryEvents } from './memory-events.js';
import { MemoryLedger } from './memory-ledger.js';
import type { Violations } from './referee.js';
import type { ScenarioName } from './scenarios.js';
import { buildScenario, buildScript, SCENARIO_NAMES } from './scenarios.js';
import type { Delivery, Invocation, ScenarioScript } from './script.js';
import { SimAlarms } from './sim-alarms.js';
import { SimSettings } from './sim-settings.js';
import type { SnoozeFigures } from './snooze-watch.js';
import type { AppliedTouch } from './touches.js';
import { TouchLog, touchedInstances } from './touches.js';
import type { VersionFigures } from './version-figures.js';
import { versionFigures } from './version-figures.js';
import { World } from './world.js';

export const SCENARIOS: readonly ScenarioName[] = SCENARIO_NAMES;

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

/** EventBridge → Lambda: the verifier runs this long after the Auto Scaling event it is sent. */
export const VERIFIER_DELIVERY_DELAY: Millis = 5_000;
/** The verifier's own schedule, for deadlines that pass without an event. */
export const VERIFIER_SWEEP_INTERVAL: Millis = 5 * MINUTE;

/** The object `phoenix simulate --json` prints: exactly one JSON object, with these fields. */
export interface SimulationSummary {
  readonly scenario: ScenarioName;
  readonly seed: number;
  readonly days: number;
  readonly groups: number;
  readonly instances: number;
  /** Scheduled tick times; under overlap each ran more than once. */
  readonly ticks: number;
  readonly terminations: Record<RecycleReason, number>;
  readonly recoveries: { verified: number; failed: number; p50Seconds: number; p95Seconds: number; maxSeconds: number };
  readonly quarantined: string[];
  readonly skips: Partial<Record<SkipReason, number>>;
  readonly violations: Violations;
  /** Terminations that took effect in a group after its quarantine tag was written, from the simulator's own call log. */
  readonly terminationsAfterQuarantine: number;
  readonly withinMaxAgePct: number;
  readonly oldestInstanceHours: number;
  /** Instance-hours in service past max-age, from the instances themselves (live groups, exempt and protected left out). */
  readonly ageDebtHours: number;
  /** Live groups in which an instance stayed in service more than one tick past its max-age (the target's tolerance), by name. */
  readonly infeasibleGroups: string[];
  readonly taint: TouchFigures;
  /** Instances of live groups still on an old launch source at the end; exempt and protected ones, never picked, left out. */
  readonly staleConfig: number;
  readonly failedActions: number;
  /** Surges given back by terminating their own extra instance: terminations that are not recycles. */
  readonly extraInstancesTakenBack: number;
  readonly blockedTicks: number;
  /** Tick invocations that threw (a read before acting failed) or were killed mid-run; each is in `tickFailures`. */
  readonly failedTicks: number;
  /**
   * Verifier invocations, one per Auto Scaling event plus its 5-minute sweeps between recycler ticks, and
   * any the script starts alongside a tick; failed ones included.
   */
  readonly verifierRuns: number;
  /** Verifier invocations that threw; each is in `verifierFailures`, none in `tickFailures` or `failedTicks`. */
  readonly failedVerifierRuns: number;
  /** What bad releases did and how far Phoenix carried them (all zero when the scenario deploys none). */
  readonly versions: VersionFigures;
  /** Max size calls of Phoenix that took effect, from the simulator's own log: raised for a surge, and lowered back. */
  readonly maxSize: { readonly raised: number; readonly restored: number };
  /** `Recycle Scheduled` events published: the advance notices. */
  readonly notices: number;
  /** The snooze scenario only: what owners wrote, from the writes, and the snoozes Phoenix marked in its ledger. */
  readonly snooze?: SnoozeSummary;
}

export interface SnoozeSummary extends SnoozeFigures {
  /** Distinct snooze values Phoenix marked as first seen. */
  readonly marked: number;
  /** Instances people asked to replace (`phoenix recycle`), and of those, terminated by Phoenix by the end, from the fleet's own call log. */
  readonly recycleRequests: { readonly made: number; readonly served: number };
}

/** What became of the instances people touched, measured by the simulator: tags it holds, terminations that took effect. */
export interface TouchFigures {
  /** Instances the taint function tagged. */
  readonly touchedInstances: number;
  /** Of those, terminated by Phoenix. */
  readonly replaced: number;
  readonly notReplaced: number;
  /** Touches on instances of groups not opted in: no tag written. */
  readonly ignoredTouches: number;
  /** From the last touch of each replaced instance to its termination. */
  readonly touchToReplacementSeconds: { readonly p50: number; readonly p95: number; readonly max: number };
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

export interface TickFailure {
  readonly at: Millis;
  readonly error: string;
}

export interface SimulationResult {
  readonly summary: SimulationSummary;
  readonly groups: readonly GroupSummary[];
  /** Every tick invocation that completed, in order. */
  readonly ticks: readonly TickResult[];
  readonly tickFailures: readonly TickFailure[];
  readonly verifierFailures: readonly TickFailure[];
  /** The Auto Scaling events the verifier was invoked for, in time order. */
  readonly lifecycleEvents: readonly LifecycleEvent[];
  /** The simulator's log of every mutating call Phoenix made, for checks independent of the recycler's own account. */
  readonly calls: readonly PhoenixCall[];
  /** Every touch that reached an instance, in time order. */
  readonly touches: readonly AppliedTouch[];
  /** Every event Phoenix published, in order. */
  readonly events: readonly OutboxEvent[];
  /** The ledger and the opted-in groups at the end, for the weekly report. */
  readonly records: readonly ReplacementRecord[];
  readonly groupsAtEnd: readonly Group[];
  /** Per group that had one, when its first instance kept in service more than a tick past max-age reached it, as the simulator saw it. */
  readonly firstBreaches: ReadonlyMap<string, Millis>;
  /** Self-test invocations of the recycler: how many, how many it refused, and any that failed otherwise. */
  readonly selftest: { readonly runs: number; readonly refused: number; readonly failures: readonly TickFailure[] };
}

/** Nearest-rank percentile; 0 for no samples. */
export function percentile(samples: readonly number[], fraction: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] as number;
}

/**
 * Walks the simulator's call log in order and counts terminations that took effect in a group while it
 * was quarantined. The log does not name tag keys, but Phoenix writes group tags only to quarantine and
 * removes them only to release, so a group counts as quarantined from a tag write that took effect
 * until an untag that did.
 */
export function terminationsAfterQuarantine(calls: readonly PhoenixCall[]): number {
  const quarantined = new Set<string>();
  let count = 0;
  for (const call of calls) {
    if (call.outcome !== 'ok') continue;
    if (call.kind === 'tag') quarantined.add(call.group);
    else if (call.kind === 'untag') quarantined.delete(call.group);
    else if (call.kind === 'terminate' && quarantined.has(call.group)) count += 1;
  }
  return count;
}

/** Phoenix's max size calls that took effect: raises and the lowering back. */
function maxSizeCalls(calls: readonly PhoenixCall[]): SimulationSummary['maxSize'] {
  let raised = 0;
  let restored = 0;
  for (const call of calls) {
    if (call.kind !== 'set-max' || call.outcome !== 'ok' || call.maxSize === undefined || call.fromMax === undefined) continue;
    if (call.maxSize > call.fromMax) raised += 1;
    else if (call.maxSize < call.fromMax) restored += 1;
  }
  return { raised, restored };
}

/** One run the simulator starts: an invocation with the time its event carries. */
type PlannedRun = Omit<Invocation, 'eventAhead'> & { readonly eventTime: Millis };

function touchFigures(touches: readonly AppliedTouch[], calls: readonly PhoenixCall[]): TouchFigures {
  const touched = touchedInstances(touches, calls);
  const seconds = touched.flatMap((instance) => (instance.terminatedAt === undefined ? [] : [Math.round((instance.terminatedAt - instance.lastTouch) / 1000)]));
  return {
    touchedInstances: touched.length,
    replaced: seconds.length,
    notReplaced: touched.length - seconds.length,
    ignoredTouches: touches.filter((touch) => !touch.tagged).length,
    touchToReplacementSeconds: { p50: percentile(seconds, 0.5), p95: percentile(seconds, 0.95), max: percentile(seconds, 1) },
  };
}

/** Instances Phoenix may pick that run an older launch source than their live group launches now. */
function staleAtEnd(fleet: SimFleet, specs: readonly SimGroupSpec[]): number {
  let count = 0;
  for (const spec of specs) {
    const group = fleet.view(spec.name);
    if (livePolicy(group.tags) === undefined) continue;
    for (const instance of group.instances) {
      const never = ineligibility(instance);
      if (never === 'exempt' || never === 'protected' || instance.lifecycleState.startsWith('Terminating')) continue;
      if (isStale(instance, group)) count += 1;
    }
  }
  return count;
}

async function snoozeSummary(fleet: SimFleet, ledger: MemoryLedger, world: World, start: Millis, end: Millis): Promise<SnoozeSummary> {
  const terminated = new Set(
    fleet.calls().flatMap((call) => (call.kind === 'terminate' && call.outcome === 'ok' && call.instanceId !== undefined ? [call.instanceId] : [])),
  );
  const requests = world.recycleRequests();
  return {
    ...fleet.snoozeFigures(),
    marked: (await ledger.snoozesBetween(start, end + 1)).length,
    recycleRequests: { made: requests.length, served: requests.filter((request) => terminated.has(request.instanceId)).length },
  };
}

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function zeroReasons(): Record<RecycleReason, number> {
  return { requested: 0, tainted: 0, 'stale-config': 0, 'max-age': 0, chaos: 0 };
}

class Tally {
  private readonly byGroup = new Map<
    string,
    {
      mode: string;
      recycled: Record<RecycleReason, number>;
      wouldRecycle: number;
      skips: Partial<Record<SkipReason, number>>;
      recoverySeconds: number[];
      quarantined: boolean;
    }
  >();
  readonly terminations = zeroReasons();
  readonly skips: Partial<Record<SkipReason, number>> = {};
  readonly recoverySeconds: number[] = [];
  readonly quarantined: string[] = [];
  verified = 0;
  failed = 0;
  failedActions = 0;
  extraInstancesTakenBack = 0;
  blockedTicks = 0;

  private group(name: string) {
    let entry = this.byGroup.get(name);
    if (entry === undefined) {
      entry = { mode: '-', recycled: zeroReasons(), wouldRecycle: 0, skips: {}, recoverySeconds: [], quarantined: false };
      this.byGroup.set(name, entry);
    }
    return entry;
  }

  /** A verifier run: its outcomes count, its decisions do not (they are not a tick's skips or would-recycles). */
  addVerify(run: TickResult): void {
    for (const outcome of run.outcomes) this.addOutcome(outcome);
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
      case 'taken-back':
        if (outcome.undo.kind === 'terminate-extra') this.extraInstancesTakenBack += 1;
        return;
      case 'started':
      case 'not-acted':
      case 'vanished':
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
/** Told after each tick how much of the run's virtual time is done, so a long run can show it is moving. */
export type SimulationProgress = (done: Millis, total: Millis) => void;

export async function simulate(options: SimulationOptions, progress?: SimulationProgress): Promise<SimulationResult> {
  const specs = buildScenario(options.scenario, { groups: options.groups, size: options.size, seed: options.seed, start: options.start });
  const script = buildScript(options.scenario, specs, { seed: options.seed, start: options.start, days: options.days, tickInterval: options.tickInterval });
  return simulateFleet(options, specs, script, progress);
}

/**
 * `simulate` on a given fleet and script, for hand-built cases; `options.groups`, `size` and `scenario`
 * only label the summary. The recycler runs at every tick, delivered as the script says (once and on time
 * unless it says otherwise); between ticks the verifier runs as deployed: shortly after each Auto Scaling
 * event, for that event's group, and on its 5-minute schedule for all.
 */
export async function simulateFleet(
  options: SimulationOptions,
  specs: readonly SimGroupSpec[],
  script: ScenarioScript,
  progress?: SimulationProgress,
): Promise<SimulationResult> {
  const fleet = new SimFleet({
    start: options.start,
    random: seededRandom(options.seed),
    groups: specs,
    tickInterval: options.tickInterval,
    ...(script.describeLag === undefined ? {} : { describeLag: script.describeLag }),
  });
  const ledger = new MemoryLedger(script.ledger);
  const mode = new SimSettings('live', (changed) => fleet.accountModeChanged(changed));
  const events = new MemoryEvents();
  const deps: TickDependencies = {
    fleet,
    ledger,
    events,
    alarms: new SimAlarms(),
    settings: mode,
    logger: silentLogger,
    chaosSeed: options.seed ^ 0x5eed,
  };
  const settings = { tickInterval: options.tickInterval, blackouts: [], stopAlarms: [], maxTerminationsPerRun: 100 };
  const end = options.start + options.days * DAY;
  const tally = new Tally();
  const touches = new TouchLog();
  const world = new World(fleet, touches, mode, specs, script.events);
  const ticks: TickResult[] = [];
  const tickFailures: TickFailure[] = [];
  const verifierFailures: TickFailure[] = [];
  const lifecycleEvents: LifecycleEvent[] = [];
  /** Verifier invocations on their way, in time order: events are drained in order and all get the same delay. */
  const deliveries: { readonly at: Millis; readonly group: string }[] = [];
  /** Tick deliveries running late. */
  const late = new TimeQueue<{ readonly at: Millis; readonly runs: readonly PlannedRun[] }>();
  let verifierRuns = 0;
  let scheduled = 0;
  const selftest = { runs: 0, refused: 0, failures: [] as TickFailure[] };
  // The recycler's own tick already moves every open replacement on, so the sweep skips those marks.
  const sweepAfter = (at: Millis): Millis => {
    let next = at + VERIFIER_SWEEP_INTERVAL;
    while (next < end && (next - options.start) % options.tickInterval === 0) next += VERIFIER_SWEEP_INTERVAL;
    return next;
  };
  let nextSweep = sweepAfter(options.start);
  /**
   * Starts the runs at once at the fleet's clock, like Lambdas invoked together, each deciding at the time
   * the deployed handler would from its event; then books each. A run that throws or is killed is a
   * failure, counted, not the end of the simulation; a killed run reports nothing else.
   */
  const invoke = async (runs: readonly PlannedRun[]): Promise<void> => {
    const clock = fleet.now();
    const started = runs.map((run) => {
      const kill = run.killAfter === undefined ? undefined : new Kill(run.killAfter);
      const runDeps =
        kill === undefined
          ? deps
          : {
              ...deps,
              fleet: interposeFleet(fleet, kill.around),
              ledger: interposeLedger(ledger, kill.around),
              events: interposeEvents(deps.events, kill.around),
            };
      const at = runTime({ time: new Date(run.eventTime).toISOString() }, clock, deps.logger);
      if (run.run === 'selftest') {
        // The request is given whole to the handler's own path: refused or not, it is judged as the Lambda would judge it.
        const outcome = runSelftest(runDeps, settings, { selftest: run.selftest }, at, async (tick) => {
          tally.addVerify(await tick());
          return {};
        });
        return { run, kill, outcome: outcome.then(() => undefined) };
      }
      return { run, kill, outcome: runTick(runDeps, settings, at, run.run === 'tick' ? { kind: 'tick' } : { kind: 'verify', groups: run.groups }) };
    });
    const settled = await Promise.allSettled(started.map(({ outcome }) => outcome));
    settled.forEach((outcome, index) => {
      const { run, kill } = started[index] as (typeof started)[number];
      if (run.run === 'selftest') {
        selftest.runs += 1;
        if (outcome.status === 'rejected') {
          if (outcome.reason instanceof SelftestRefusedError) selftest.refused += 1;
          else selftest.failures.push({ at: clock, error: errorText(outcome.reason) });
        }
        return;
      }
      if (run.run === 'verify') verifierRuns += 1;
      const failures = run.run === 'tick' ? tickFailures : verifierFailures;
      if (kill?.killed !== undefined) {
        failures.push({ at: clock, error: errorText(kill.killed) });
      } else if (outcome.status === 'rejected') {
        failures.push({ at: clock, error: errorText(outcome.reason) });
      } else if (outcome.value === undefined) {
        return;
      } else if (run.run === 'verify') {
        tally.addVerify(outcome.value);
      } else {
        tally.add(outcome.value);
        ticks.push(outcome.value);
      }
    });
  };
  /** Everything strictly before `until`, in time order: script events, Auto Scaling's own work, verifier runs, late ticks. */
  const runUntil = async (until: Millis): Promise<void> => {
    for (;;) {
      for (const event of fleet.drainLifecycleEvents(fleet.now())) {
        lifecycleEvents.push(event);
        deliveries.push({ at: event.at + VERIFIER_DELIVERY_DELAY, group: event.group });
      }
      const scripted = world.nextAt();
      const delivery = deliveries[0];
      const delayed = late.peek();
      const at = Math.min(scripted ?? Infinity, fleet.nextEventAt() ?? Infinity, delivery?.at ?? Infinity, nextSweep, delayed?.at ?? Infinity);
      if (at >= until) return;
      // Stopping at every fleet event, not only at deliveries, is what lets each lifecycle event be seen when it happens.
      fleet.advanceTo(at);
      if (scripted === at) {
        world.applyNext();
      } else if (delivery?.at === at) {
        deliveries.shift();
        await invoke([{ run: 'verify', eventTime: at, groups: [delivery.group] }]);
      } else if (nextSweep === at) {
        nextSweep = sweepAfter(at);
        await invoke([{ run: 'verify', eventTime: at }]);
      } else if (delayed?.at === at) {
        late.pop();
        await invoke(delayed.runs);
      }
    }
  };
  for (let now = options.start; now < end; now += options.tickInterval) {
    await runUntil(now);
    for (let at = world.nextAt(); at !== undefined && at <= now; at = world.nextAt()) {
      fleet.advanceTo(at);
      world.applyNext();
    }
    fleet.advanceTo(now);
    scheduled += 1;
    const usual: readonly Delivery[] = [
      { lateBy: 0, invocations: Array.from({ length: script.invocationsPerTick }, (): Invocation => ({ run: 'tick', eventAhead: 0 })) },
    ];
    for (const { lateBy, invocations } of script.deliveries?.get(now) ?? usual) {
      const runs = invocations.map((invocation): PlannedRun => ({ ...invocation, eventTime: now + invocation.eventAhead }));
      if (lateBy === 0) await invoke(runs);
      else late.push({ at: now + lateBy, runs });
    }
    progress?.(now + options.tickInterval - options.start, end - options.start);
  }
  await runUntil(end);
  fleet.advanceTo(end);
  const ages = fleet.ageStats({ until: end, tolerance: options.tickInterval });
  const debt = fleet.ageDebt(end, options.tickInterval);
  const summary: SimulationSummary = {
    scenario: options.scenario,
    seed: options.seed,
    days: options.days,
    groups: specs.length,
    instances: specs.reduce((sum: number, spec) => sum + spec.desired, 0),
    ticks: scheduled,
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
    terminationsAfterQuarantine: terminationsAfterQuarantine(fleet.calls()),
    withinMaxAgePct: Math.round(ages.withinMaxAgePct * 1000) / 1000,
    oldestInstanceHours: Math.round(ages.oldestInstanceHours * 10) / 10,
    ageDebtHours: Math.round(debt.hours * 10) / 10,
    infeasibleGroups: [...debt.firstBreaches.keys()].sort(),
    taint: touchFigures(touches.touches(), fleet.calls()),
    staleConfig: staleAtEnd(fleet, specs),
    failedActions: tally.failedActions,
    extraInstancesTakenBack: tally.extraInstancesTakenBack,
    blockedTicks: tally.blockedTicks,
    failedTicks: tickFailures.length,
    verifierRuns,
    failedVerifierRuns: verifierFailures.length,
    versions: versionFigures(fleet, events.all(), end, options.tickInterval),
    maxSize: maxSizeCalls(fleet.calls()),
    notices: events.all().filter((event) => event.detailType === 'Recycle Scheduled').length,
    ...(options.scenario === 'snooze' ? { snooze: await snoozeSummary(fleet, ledger, world, options.start, end) } : {}),
  };
  // The run is over: faults no longer model anything, and the report's snapshot must not fail on one.
  fleet.setFaults(undefined);
  const groupsAtEnd = await fleet.listOptedInGroups();
  return {
    summary,
    groups: tally.groups(fleet, end),
    ticks,
    tickFailures,
    verifierFailures,
    lifecycleEvents,
    calls: fleet.calls(),
    touches: touches.touches(),
    events: events.all(),
    records: ledger.all(),
    groupsAtEnd,
    firstBreaches: debt.firstBreaches,
    selftest,
  };
}
