import { runTime, tickScope } from '../functions/app/config.js';
import { errorText } from '../functions/app/errors.js';
import { runSelftest, SelftestRefusedError } from '../functions/app/selftest.js';
import { noteSnoozeSetters } from '../functions/app/snooze-setter.js';
import type { TickDependencies, TickResult } from '../functions/app/tick.js';
import { runTick } from '../functions/app/tick.js';
import { seededRandom } from '../functions/core/decide/random.js';
import type { Millis } from '../functions/core/model.js';
import { DAY, MINUTE } from '../functions/core/model.js';
import type { Logger } from '../functions/core/ports.js';
import type { LifecycleEvent, SimGroupSpec } from './fleet.js';
import { SimFleet } from './fleet.js';
import { TimeQueue } from './heap.js';
import { interposeEvents, interposeFleet, interposeLedger, Kill } from './interpose.js';
import { MemoryEvents } from './memory-events.js';
import { MemoryLedger } from './memory-ledger.js';
import type { ScenarioName } from './scenarios.js';
import { buildScenario, buildScript, SCENARIO_NAMES } from './scenarios.js';
import type { Delivery, Invocation, ScenarioScript } from './script.js';
import { SimAlarms } from './sim-alarms.js';
import { SimSettings } from './sim-settings.js';
import type { SimulationResult, SimulationSummary, TickFailure } from './summary.js';
import { maxSizeCalls, percentile, snoozeSummary, staleAtEnd, Tally, terminationsAfterQuarantine, touchFigures } from './summary.js';
import { TaintProbes } from './taint-probes.js';
import { TouchLog } from './touches.js';
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

/** One run the simulator starts: an invocation with the time its event carries. */
type PlannedRun = Omit<Invocation, 'eventAhead'> & { readonly eventTime: Millis };

const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

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
  const taintProbes = new TaintProbes(
    fleet,
    specs.map((spec) => spec.name),
    deps.logger,
  );
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
      const event = { time: new Date(run.eventTime).toISOString() };
      const at = runTime(event, clock, deps.logger);
      if (run.run === 'taint-probe')
        return { run, kill, outcome: run.taintProbe === undefined ? Promise.resolve(undefined) : taintProbes.play(run.taintProbe) };
      if (run.run === 'selftest') {
        // The request is given whole to the handler's own path: refused or not, it is judged as the Lambda would judge it.
        const outcome = runSelftest(runDeps, settings, { selftest: run.selftest }, at, async (tick) => {
          tally.addVerify(await tick());
          return {};
        });
        return { run, kill, outcome: outcome.then(() => undefined) };
      }
      return { run, kill, outcome: runTick(runDeps, settings, at, run.run === 'tick' ? tickScope(event, clock) : { kind: 'verify', groups: run.groups }) };
    });
    const settled = await Promise.allSettled(started.map(({ outcome }) => outcome));
    settled.forEach((outcome, index) => {
      const { run, kill } = started[index] as (typeof started)[number];
      if (run.run === 'taint-probe') return;
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
  // CloudTrail's records of tag writes go to the verifier's own handler for them, as its rule delivers them.
  const deliverCloudTrail = async (): Promise<void> => {
    for (const record of world.drainCloudTrail()) await noteSnoozeSetters({ setters: ledger, logger: silentLogger, now: () => fleet.now() }, record);
  };
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
        await deliverCloudTrail();
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
      await deliverCloudTrail();
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
    taintProbes: taintProbes.figures(),
  };
}
