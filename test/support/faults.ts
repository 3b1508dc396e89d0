import { errorText } from '../../functions/app/errors.js';
import type { RunScope } from '../../functions/app/run-reads.js';
import type { TickDependencies, TickResult, TickSettings } from '../../functions/app/tick.js';
import { runTick } from '../../functions/app/tick.js';
import { seededRandom } from '../../functions/core/decide/random.js';
import type { Group, Millis, ReplacementRecord } from '../../functions/core/model.js';
import { isOpen, MINUTE } from '../../functions/core/model.js';
import type { Logger } from '../../functions/core/ports.js';
import type { FaultRates, SimGroupSpec, Violations } from '../../sim/fleet.js';
import { SimFleet } from '../../sim/fleet.js';
import type { PortCall, PortCallKind } from '../../sim/interpose.js';
import { interposeFleet, interposeLedger } from '../../sim/interpose.js';
import { MemoryEvents } from '../../sim/memory-events.js';
import { MemoryLedger } from '../../sim/memory-ledger.js';
import { SimAlarms } from '../../sim/sim-alarms.js';
import { SimSettings } from '../../sim/sim-settings.js';
import { terminationsAfterQuarantine } from '../../sim/summary.js';

/**
 * The port calls a fault can be aimed at. The tick summary only feeds the report's skip counts (a failed
 * write there is a warning by design) and events are not wrapped here, so neither is a target.
 */
export type CallKind = Exclude<PortCallKind, 'record-tick' | 'publish'>;

/**
 * What happens to one call. A kill is the Lambda timing out: the invocation never sees the answer and
 * never runs another line, so nothing after the call lands ('kill-before' drops the call itself).
 * 'throw-after' is a timeout the caller does see, after the call took effect.
 */
export type Fault =
  | { readonly kind: 'kill-before' }
  | { readonly kind: 'kill-after' }
  | { readonly kind: 'throw-before' }
  | { readonly kind: 'throw-after' }
  /**
   * The world changes just before the call reaches AWS (an instance vanishes, say); the call then runs.
   * `read` holds the groups as this invocation last read them, so the change can hit what it saw.
   */
  | { readonly kind: 'world'; readonly change: (fleet: SimFleet, call: PortCall, read: ReadonlyMap<string, Group>) => void };

export interface Trigger {
  readonly on: CallKind;
  /** 1-based, counted over every invocation of the run. */
  readonly nth: number;
  readonly fault: Fault;
}

/** An error shaped like the SDK's when a request times out: the caller cannot tell whether it landed. */
class InjectedTimeout extends Error {
  override readonly name = 'TimeoutError';
}

/** Counts calls by kind and hands out the fault aimed at each, if any. */
export class FaultPlan {
  private readonly counts = new Map<PortCallKind, number>();
  readonly fired: (Trigger & { readonly call: PortCall })[] = [];

  constructor(private readonly triggers: readonly Trigger[] = []) {}

  next(call: PortCall): Fault | undefined {
    const count = (this.counts.get(call.kind) ?? 0) + 1;
    this.counts.set(call.kind, count);
    const trigger = this.triggers.find((candidate) => candidate.on === call.kind && candidate.nth === count);
    if (trigger !== undefined) this.fired.push({ ...trigger, call });
    return trigger?.fault;
  }
}

const NEVER: Promise<never> = new Promise<never>(() => undefined);

/** One Lambda invocation: it can be killed, and it counts the errors its port calls threw at it. */
class Invocation {
  errorsSeen = 0;
  private fire: () => void = () => undefined;
  readonly killSignal: Promise<'killed'> = new Promise((resolve) => {
    this.fire = () => resolve('killed');
  });

  kill(): void {
    this.fire();
  }
}

/** What every wrapped call of one invocation shares. */
interface FaultContext {
  readonly plan: FaultPlan;
  readonly invocation: Invocation;
  readonly fleet: SimFleet;
  readonly read: Map<string, Group>;
}

async function faulty<T>({ plan, invocation, fleet, read }: FaultContext, call: PortCall, inner: () => Promise<T>): Promise<T> {
  const observed = async (): Promise<T> => {
    try {
      return await inner();
    } catch (error) {
      invocation.errorsSeen += 1;
      throw error;
    }
  };
  const fault = plan.next(call);
  switch (fault?.kind) {
    case undefined:
      return observed();
    case 'kill-before':
      invocation.kill();
      return NEVER;
    case 'kill-after':
      try {
        await inner();
      } finally {
        invocation.kill();
      }
      return NEVER;
    case 'throw-before':
      invocation.errorsSeen += 1;
      throw new InjectedTimeout(`injected: ${call.kind} failed before reaching AWS`);
    case 'throw-after':
      await observed();
      invocation.errorsSeen += 1;
      throw new InjectedTimeout(`injected: ${call.kind} timed out after it took effect`);
    case 'world':
      fault.change(fleet, call, read);
      return observed();
  }
}

export type InvocationKind = 'tick' | 'verify';

/** What one invocation came to, as the function's own metrics would show it. */
export interface InvocationReport {
  readonly kind: InvocationKind;
  /** The simulator's clock when it ran. */
  readonly at: Millis;
  /** The time it was told it is (the event's time). */
  readonly now: Millis;
  readonly status: 'ok' | 'failed' | 'killed';
  readonly result: TickResult | undefined;
  readonly error: string | undefined;
  /** Errors its port calls threw at it, injected or the simulator's own throttling. */
  readonly errorsSeen: number;
}

export interface WorldOptions {
  readonly start: Millis;
  readonly seed: number;
  readonly groups: readonly SimGroupSpec[];
  readonly triggers?: readonly Trigger[];
}

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const SETTINGS: TickSettings = { tickInterval: 10 * MINUTE, blackouts: [], stopAlarms: [], maxTerminationsPerRun: 100 };
/** EventBridge → Lambda delay for the verifier's Auto Scaling events, and its sweep schedule (as deployed). */
const DELIVERY_DELAY: Millis = 5_000;
const SWEEP_INTERVAL: Millis = 5 * MINUTE;

/**
 * The recycler and verifier as deployed, on the fleet simulator, with every invocation's fleet and
 * ledger ports wrapped by one fault plan. Ticks run every 10 minutes from the start; between them the
 * verifier runs 5 s after each Auto Scaling event and on its 5-minute schedule.
 */
export class FaultWorld {
  readonly fleet: SimFleet;
  readonly reports: InvocationReport[] = [];
  plan: FaultPlan;
  /** How far each invocation's event time is off the simulator's clock. */
  skew: (kind: InvocationKind, at: Millis) => Millis = () => 0;
  /** How many invocations of the tick due at `at` run at once (overlapping Lambdas). */
  overlap: (at: Millis) => number = () => 1;
  private readonly ledger = new MemoryLedger();
  private readonly events = new MemoryEvents();
  private readonly alarms = new SimAlarms();
  private readonly mode = new SimSettings();
  private readonly chaosSeed: number;
  private nextTick: Millis;
  private nextSweep: Millis;
  private readonly deliveries: { readonly at: Millis; readonly group: string }[] = [];

  constructor(options: WorldOptions) {
    this.fleet = new SimFleet({ start: options.start, random: seededRandom(options.seed), groups: options.groups });
    this.chaosSeed = options.seed ^ 0x5eed;
    this.plan = new FaultPlan(options.triggers);
    this.nextTick = options.start;
    this.nextSweep = options.start + SWEEP_INTERVAL;
  }

  setFaults(faults: FaultRates | undefined): void {
    this.fleet.setFaults(faults);
  }

  /** Runs one invocation now: the recycler's tick, or the verifier for some groups (undefined: every open one). */
  private async invoke(kind: InvocationKind, groups?: readonly string[]): Promise<InvocationReport> {
    const at = this.fleet.now();
    const now = at + this.skew(kind, at);
    const invocation = new Invocation();
    const context: FaultContext = { plan: this.plan, invocation, fleet: this.fleet, read: new Map() };
    const around = <T>(call: PortCall, real: () => Promise<T>): Promise<T> => (call.kind === 'record-tick' ? real() : faulty(context, call, real));
    const deps: TickDependencies = {
      fleet: interposeFleet(this.fleet, around, (groups) => {
        for (const group of groups) context.read.set(group.name, group);
      }),
      ledger: interposeLedger(this.ledger, around),
      events: this.events,
      alarms: this.alarms,
      settings: this.mode,
      logger: silent,
      chaosSeed: this.chaosSeed,
    };
    const scope: RunScope = kind === 'tick' ? { kind: 'tick' } : { kind: 'verify', groups };
    const base = { kind, at, now };
    const report: InvocationReport = await Promise.race([runTick(deps, SETTINGS, now, scope), invocation.killSignal]).then(
      (outcome) =>
        outcome === 'killed'
          ? { ...base, status: 'killed' as const, result: undefined, error: 'killed: the invocation timed out', errorsSeen: invocation.errorsSeen }
          : { ...base, status: 'ok' as const, result: outcome, error: undefined, errorsSeen: invocation.errorsSeen },
      (error: unknown) => ({ ...base, status: 'failed' as const, result: undefined, error: errorText(error), errorsSeen: invocation.errorsSeen }),
    );
    this.reports.push(report);
    return report;
  }

  /** Runs everything due before `until` in time order (Auto Scaling's own work, ticks, verifier runs), then moves the clock there. */
  async runUntil(until: Millis): Promise<void> {
    for (;;) {
      for (const event of this.fleet.drainLifecycleEvents(this.fleet.now())) {
        this.deliveries.push({ at: event.at + DELIVERY_DELAY, group: event.group });
      }
      const delivery = this.deliveries[0];
      const at = Math.min(this.nextTick, this.nextSweep, delivery?.at ?? Infinity, this.fleet.nextEventAt() ?? Infinity);
      if (at >= until) break;
      this.fleet.advanceTo(at);
      if (this.nextTick === at) {
        this.nextTick += SETTINGS.tickInterval;
        // The tick moves every open replacement on itself, so a sweep due at the same moment is left out.
        if (this.nextSweep === at) this.nextSweep += SWEEP_INTERVAL;
        await Promise.all(Array.from({ length: this.overlap(at) }, () => this.invoke('tick')));
      } else if (delivery?.at === at) {
        this.deliveries.shift();
        await this.invoke('verify', [delivery.group]);
      } else if (this.nextSweep === at) {
        this.nextSweep += SWEEP_INTERVAL;
        await this.invoke('verify');
      }
    }
    this.fleet.advanceTo(until);
  }

  async runFor(duration: Millis): Promise<void> {
    await this.runUntil(this.fleet.now() + duration);
  }

  /** The group as the API shows it now; read it with the simulator's fault rates off. */
  async group(name: string): Promise<Group> {
    const found = (await this.fleet.describeGroups([name])).get(name);
    if (found === undefined) throw new Error(`no simulated group ${name}`);
    return found;
  }

  records(): readonly ReplacementRecord[] {
    return this.ledger.all();
  }

  openRecords(): readonly ReplacementRecord[] {
    return this.ledger.all().filter(isOpen);
  }
}

/** What the simulator and the ledger say happened, independently of what the recycler reported. */
export interface Audit {
  readonly violations: Violations;
  /** Instances that Phoenix's terminate calls took effect on more than once. */
  readonly terminatedTwice: readonly string[];
  /** Instances a Phoenix termination took effect on without a live ledger record naming them. */
  readonly unrecorded: readonly string[];
  /** Invocations that had a port call throw at them and still returned with no failed action. */
  readonly swallowed: readonly InvocationReport[];
  readonly terminationsAfterQuarantine: number;
}

export function audit(world: FaultWorld): Audit {
  const calls = world.fleet.calls();
  const terminated = calls.filter((call) => call.kind === 'terminate' && call.outcome === 'ok').map((call) => call.instanceId ?? '');
  // A record names the instance it replaces, and, when it took a surge back, the extra instance that went.
  const recorded = new Set(
    world
      .records()
      .filter((record) => record.mode === 'live')
      .flatMap((record) => [record.instanceId, ...(record.undo?.extraInstanceId === undefined ? [] : [record.undo.extraInstanceId])]),
  );
  return {
    violations: world.fleet.violations(),
    terminatedTwice: [...new Set(terminated.filter((id, index) => terminated.indexOf(id) !== index))],
    unrecorded: terminated.filter((id) => !recorded.has(id)),
    swallowed: world.reports.filter(
      (report) =>
        report.status === 'ok' &&
        report.errorsSeen > 0 &&
        !(report.result?.outcomes.some((outcome) => outcome.kind === 'failed' || outcome.kind === 'vanished') ?? false),
    ),
    terminationsAfterQuarantine: terminationsAfterQuarantine(calls),
  };
}
