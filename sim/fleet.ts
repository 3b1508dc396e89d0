import type { GlobalMode, Group, Instance, LaunchSource, LifecycleState, Millis } from '../functions/core/model.js';
import { HOUR, MINUTE } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';
import type { FleetPort } from '../functions/core/ports.js';
import { InstanceGoneError } from '../functions/core/ports.js';
import type { RandomSource } from '../functions/core/decide/random.js';
import { seededRandom } from '../functions/core/decide/random.js';
import { VirtualClock } from './clock.js';
import { DescribeLag } from './describe-lag.js';
import { SimServiceError, SimValidationError } from './errors.js';
import { MinHeap } from './heap.js';
import { livePolicy } from './live.js';
import type { TerminationFacts, ViolationKind, Violations } from './referee.js';
import { Referee } from './referee.js';

export type { ViolationKind, Violations } from './referee.js';
export { VIOLATION_KINDS } from './referee.js';

export interface SimInstanceSpec {
  /** Age at the simulation's start. */
  readonly age: Millis;
  readonly tags?: Readonly<Record<string, string>>;
  readonly protectedFromScaleIn?: boolean;
  /** Defaults to the group's current version; another one makes the instance stale. */
  readonly launchTemplateVersion?: string;
}

export interface SimGroupSpec {
  readonly name: string;
  readonly desired: number;
  readonly min: number;
  readonly max: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly launchTemplate: { readonly id: string; readonly version: string };
  /** The instances running at the start, all InService and Healthy. */
  readonly instances: readonly SimInstanceSpec[];
  /** How long a new instance stays Pending, drawn uniformly; default 60–180 s. */
  readonly launchDelay?: { readonly min: Millis; readonly max: Millis };
  /** A launch lifecycle hook: Pending:Wait this long before InService; default none. */
  readonly launchHookWait?: Millis;
  /** A termination lifecycle hook or connection draining: Terminating:Wait this long; default 60 s. */
  readonly terminateHookWait?: Millis;
  readonly suspendedProcesses?: readonly string[];
}

export interface FaultRates {
  /** Share of calls that fail with ThrottlingException. */
  readonly throttleRate: number;
  /** Share of calls that fail with ServiceUnavailable. */
  readonly serverErrorRate: number;
}

export interface SimFleetOptions {
  readonly start: Millis;
  /** The fleet's own draws (launch delays); faults use a stream of their own. */
  readonly random: RandomSource;
  readonly groups: readonly SimGroupSpec[];
  readonly faults?: FaultRates;
  /** The recycler's schedule, which the referee gives a replacement to finish or be undone; default 10 minutes. */
  readonly tickInterval?: Millis;
  /** The longest Describe results may lag a write (eventual consistency); default none. */
  readonly describeLag?: Millis;
}

export type PhoenixCallKind = 'terminate' | 'set-desired' | 'tag' | 'untag';

/** One mutating call Phoenix made, whether it took effect ('ok'), was refused, or hit an injected fault. */
export interface PhoenixCall {
  readonly at: Millis;
  readonly kind: PhoenixCallKind;
  readonly group: string;
  readonly instanceId?: string;
  readonly desired?: number;
  readonly decrementDesired?: boolean;
  readonly outcome: 'ok' | 'rejected' | 'fault';
  readonly violations: readonly ViolationKind[];
}

export type ActivityKind = 'launch' | 'launch-failed' | 'terminate-requested' | 'scale-in' | 'replace-unhealthy' | 'vanished';

/** What Auto Scaling itself did, like DescribeScalingActivities. */
export interface ScalingActivity {
  readonly at: Millis;
  readonly group: string;
  readonly kind: ActivityKind;
  readonly instanceId?: string;
}

export type LifecycleDetailType = 'EC2 Instance Launch Successful' | 'EC2 Instance Launch Unsuccessful' | 'EC2 Instance Terminate Successful';

/** An Auto Scaling event as EventBridge would carry it to the verifier. */
export interface LifecycleEvent {
  readonly at: Millis;
  readonly group: string;
  readonly detailType: LifecycleDetailType;
  readonly instanceId?: string;
}

/** A group's capacity as sampled at each advanceTo. */
export interface GroupSample {
  readonly at: Millis;
  readonly desired: number;
  readonly inServiceHealthy: number;
  /** Pending or terminating. */
  readonly inTransition: number;
  readonly oldestAgeHours: number | undefined;
}

export interface AgeStats {
  readonly withinMaxAgePct: number;
  readonly oldestInstanceHours: number;
}

/** Lifecycle states plus the end of the road, which no API shows. */
type SimState = LifecycleState | 'Terminated';

interface SimInstance {
  readonly id: string;
  /** Its place in the order the fleet launched instances, from 1. */
  readonly ordinal: number;
  readonly group: SimGroup;
  readonly launchedAt: Millis;
  readonly version: string;
  state: SimState;
  healthy: boolean;
  unhealthySince: Millis | undefined;
  protectedFromScaleIn: boolean;
  tags: Record<string, string>;
  /** Start of the current InService stretch; closed stretches are in `service`. */
  inServiceSince: Millis | undefined;
  readonly service: (readonly [Millis, Millis])[];
}

interface SimGroup {
  readonly name: string;
  desired: number;
  readonly min: number;
  readonly max: number;
  tags: Record<string, string>;
  readonly templateId: string;
  version: string;
  readonly suspended: Set<string>;
  /** Every instance the API still lists, terminating ones included, in launch order. */
  readonly live: Map<string, SimInstance>;
  readonly retired: SimInstance[];
  readonly launchDelay: { readonly min: Millis; readonly max: Millis };
  readonly launchHookWait: Millis;
  readonly terminateHookWait: Millis;
  launchesFailFrom: Millis | undefined;
  retryScheduled: boolean;
  instanceRefresh: boolean;
  readonly series: GroupSample[];
  /** The frozen view last handed out; dropped on any change. */
  snapshot: Group | undefined;
}

/** An instance's next lifecycle step, void if the instance has left `from` by then. */
interface StepEvent {
  readonly at: Millis;
  readonly seq: number;
  readonly kind: 'step';
  readonly instance: SimInstance;
  readonly from: SimState;
}

/** A moment the group's control loop runs again on its own. */
interface GroupEvent {
  readonly at: Millis;
  readonly seq: number;
  readonly kind: 'retry-launch' | 'health-check';
  readonly group: SimGroup;
}

type SimEvent = StepEvent | GroupEvent;

type CallBase = Omit<PhoenixCall, 'at' | 'outcome' | 'violations'>;

const DEFAULT_LAUNCH_DELAY = { min: 60_000, max: 180_000 } as const;
const DEFAULT_TERMINATE_HOOK_WAIT: Millis = 60_000;
/** EC2 shutdown after the hooks complete. */
const SHUTDOWN_DELAY: Millis = 30_000;
/** Auto Scaling retries a failed launch after this long. */
const LAUNCH_RETRY_DELAY: Millis = 5 * MINUTE;
/** An unhealthy instance is noticed at the next health check, not the instant it fails. */
const HEALTH_CHECK_DELAY: Millis = MINUTE;
const TAG_KEY_LIMIT = 128;
const TAG_VALUE_LIMIT = 256;
const DEFAULT_TICK_INTERVAL: Millis = 10 * MINUTE;

/** Counted against desired capacity: Standby and terminating instances are not (Auto Scaling replaces them). */
const COUNTED: ReadonlySet<SimState> = new Set<SimState>(['Pending', 'Pending:Wait', 'Pending:Proceed', 'InService']);
const NON_TERMINATING: ReadonlySet<SimState> = new Set<SimState>([...COUNTED, 'Standby', 'EnteringStandby']);
const TRANSITIONAL: ReadonlySet<SimState> = new Set<SimState>([
  'Pending',
  'Pending:Wait',
  'Pending:Proceed',
  'Terminating',
  'Terminating:Wait',
  'Terminating:Proceed',
]);

function isExempt(instance: SimInstance): boolean {
  // The same reading as the spec's promise: any value but an explicit `false` exempts.
  const value = instance.tags[TAG.exempt];
  return value !== undefined && value.trim() !== 'false';
}

function compareVersions(a: string, b: string): number {
  const numeric = Number(a) - Number(b);
  return Number.isNaN(numeric) ? a.localeCompare(b) : numeric;
}

/** The default termination policy, simplified: instances not on the current version, older versions, then older instances. */
function scaleInOrder(current: string): (a: SimInstance, b: SimInstance) => number {
  return (a, b) =>
    Number(a.version === current) - Number(b.version === current) ||
    compareVersions(a.version, b.version) ||
    a.launchedAt - b.launchedAt ||
    a.id.localeCompare(b.id);
}

function instanceId(sequence: number): string {
  return `i-${sequence.toString(16).padStart(17, '0')}`;
}

/**
 * EC2 Auto Scaling over a virtual clock. Implements FleetPort for the recycler, offers controls for
 * scenarios, and measures from its own state what Phoenix's calls actually did.
 */
export class SimFleet implements FleetPort {
  private readonly clock: VirtualClock;
  private readonly start: Millis;
  private readonly random: RandomSource;
  private readonly faultRandom: RandomSource;
  private faults: FaultRates | undefined;
  private readonly groups = new Map<string, SimGroup>();
  private readonly instances = new Map<string, SimInstance>();
  private readonly queue = new MinHeap<SimEvent>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  private sequence = 0;
  private launched = 0;
  private readonly referee: Referee;
  private readonly lag: DescribeLag | undefined;
  private readonly log: PhoenixCall[] = [];
  private readonly activityLog: ScalingActivity[] = [];
  /** Emitted in time order, since the clock only moves forward; drained by the runner. */
  private readonly lifecycleEvents: LifecycleEvent[] = [];

  constructor(options: SimFleetOptions) {
    this.start = options.start;
    this.clock = new VirtualClock(options.start);
    this.random = options.random;
    // Seeded from one draw taken whatever the fault rates, so enabling faults leaves the fleet's draws alone.
    this.faultRandom = seededRandom(Math.floor(options.random() * 2 ** 32));
    this.faults = options.faults;
    this.referee = new Referee({ clock: this.clock, tickInterval: options.tickInterval ?? DEFAULT_TICK_INTERVAL, describeLag: options.describeLag ?? 0 });
    // Only a fleet with lag draws for it, so the fleet's other draws stay as they were without.
    this.lag = options.describeLag === undefined || options.describeLag <= 0 ? undefined : new DescribeLag(options.describeLag, options.random);
    for (const spec of options.groups) this.addGroup(spec);
    for (const group of this.groups.values()) this.reconcile(group);
  }

  now(): Millis {
    return this.clock.now();
  }

  /** Runs Auto Scaling's own work (launches, hooks, shutdowns, retries) in time order up to `at`. */
  advanceTo(at: Millis): void {
    if (at < this.clock.now()) throw new RangeError(`advanceTo(${new Date(at).toISOString()}) is in the past`);
    for (let next = this.queue.peek(); next !== undefined && next.at <= at; next = this.queue.peek()) {
      this.queue.pop();
      this.clock.set(next.at);
      this.handle(next);
    }
    this.clock.set(at);
    for (const group of this.groups.values()) this.sample(group);
    this.referee.advance();
  }

  /** When Auto Scaling next does something on its own, if ever: lets a runner stop at each change. */
  nextEventAt(): Millis | undefined {
    return this.queue.peek()?.at;
  }

  /** Removes and returns the lifecycle events that happened at or before `until`, in time order. */
  drainLifecycleEvents(until: Millis): LifecycleEvent[] {
    let count = 0;
    while (count < this.lifecycleEvents.length && (this.lifecycleEvents[count] as LifecycleEvent).at <= until) count += 1;
    return this.lifecycleEvents.splice(0, count);
  }

  // ---- FleetPort ----

  async listOptedInGroups(): Promise<Group[]> {
    await this.enter('DescribeAutoScalingGroups', undefined);
    const result: Group[] = [];
    for (const group of this.groups.values()) {
      const seen = this.read(group);
      if (TAG.enabled in seen.tags) result.push(seen);
    }
    return result;
  }

  async describeGroups(names: readonly string[]): Promise<ReadonlyMap<string, Group>> {
    await this.enter('DescribeAutoScalingGroups', undefined);
    const found = new Map<string, Group>();
    for (const name of names) {
      const group = this.groups.get(name);
      if (group !== undefined) found.set(name, this.read(group));
    }
    return found;
  }

  async setDesiredCapacity(groupName: string, desired: number): Promise<void> {
    const call: CallBase = { kind: 'set-desired', group: groupName, desired };
    await this.enter('SetDesiredCapacity', call);
    const group = this.requireGroup(call);
    if (!Number.isInteger(desired)) this.reject(call, `DesiredCapacity ${desired} is not a whole number`);
    if (desired > group.max) this.reject(call, `New SetDesiredCapacity value ${desired} is above max value ${group.max} for the AutoScalingGroup.`);
    if (desired < group.min) this.reject(call, `New SetDesiredCapacity value ${desired} is below min value ${group.min} for the AutoScalingGroup.`);
    this.record(call, 'ok', this.referee.phoenixSetDesired(groupName, { from: group.desired, to: desired, launched: this.launched }));
    this.written(group);
    group.desired = desired;
    group.snapshot = undefined;
    this.reconcile(group);
  }

  async terminateInstance(groupName: string, id: string, options: { decrementDesired: boolean }): Promise<void> {
    const call: CallBase = { kind: 'terminate', group: groupName, instanceId: id, decrementDesired: options.decrementDesired };
    await this.enter('TerminateInstanceInAutoScalingGroup', call);
    const group = this.requireGroup(call);
    const victim = group.live.get(id);
    if (victim === undefined) {
      this.rejectTwice(call, `Instance Id not found - No managed instance found for instance ID: ${id}`, id);
    }
    if (victim.state !== 'InService' && victim.state !== 'Standby') {
      this.rejectTwice(call, `The instance ${id} is not in a state that can be terminated: ${victim.state}`);
    }
    if (options.decrementDesired && group.desired - 1 < group.min) {
      this.reject(
        call,
        `Currently, desiredSize equals minSize (${group.min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
      );
    }
    this.record(call, 'ok', this.referee.phoenixTerminate(this.terminationFacts(group, victim, options.decrementDesired)));
    this.written(group);
    if (options.decrementDesired) group.desired -= 1;
    this.beginTermination(victim, 'terminate-requested');
    this.reconcile(group);
  }

  async tagGroup(groupName: string, tags: Readonly<Record<string, string>>): Promise<void> {
    const call: CallBase = { kind: 'tag', group: groupName };
    await this.enter('CreateOrUpdateTags', call);
    const group = this.requireGroup(call);
    for (const [key, value] of Object.entries(tags)) {
      if (key.length === 0 || key.length > TAG_KEY_LIMIT) this.reject(call, `Tag key must be 1 to ${TAG_KEY_LIMIT} characters: ${JSON.stringify(key)}`);
      if (value.length > TAG_VALUE_LIMIT) this.reject(call, `Tag value for ${key} is longer than ${TAG_VALUE_LIMIT} characters`);
    }
    this.record(call, 'ok', []);
    this.written(group);
    group.tags = { ...group.tags, ...tags };
    group.snapshot = undefined;
    this.referee.tagsChanged(groupName, group.tags);
  }

  async untagGroup(groupName: string, keys: readonly string[]): Promise<void> {
    const call: CallBase = { kind: 'untag', group: groupName };
    await this.enter('DeleteTags', call);
    const group = this.requireGroup(call);
    this.record(call, 'ok', []);
    this.written(group);
    const tags = { ...group.tags };
    for (const key of keys) delete tags[key];
    group.tags = tags;
    group.snapshot = undefined;
    this.referee.tagsChanged(groupName, group.tags);
  }

  // ---- Controls: the world acting on the fleet, never faulted and never counted as Phoenix ----

  setFaults(faults: FaultRates | undefined): void {
    this.faults = faults;
  }

  /** Launches attempted at or after `from` fail until restored; Auto Scaling retries every 5 minutes. */
  failLaunches(groupName: string, from: Millis): void {
    this.group(groupName).launchesFailFrom = from;
  }

  restoreLaunches(groupName: string): void {
    const group = this.group(groupName);
    group.launchesFailFrom = undefined;
    this.reconcile(group);
  }

  /** A scaling policy or a person changing desired capacity under Phoenix's feet; clamped like a policy is. */
  setDesiredExternally(groupName: string, desired: number): void {
    const group = this.group(groupName);
    const clamped = Math.min(group.max, Math.max(group.min, Math.round(desired)));
    this.written(group);
    if (clamped !== group.desired) this.referee.ownerSetDesired(groupName);
    group.desired = clamped;
    group.snapshot = undefined;
    this.reconcile(group);
  }

  setGroupTag(groupName: string, key: string, value: string | undefined): void {
    const group = this.group(groupName);
    this.written(group);
    const tags = { ...group.tags };
    if (value === undefined) delete tags[key];
    else tags[key] = value;
    group.tags = tags;
    group.snapshot = undefined;
    this.referee.tagsChanged(groupName, tags);
  }

  /** An operator switching the account's mode: the referee holds Phoenix to it as a brake on every group. */
  accountModeChanged(mode: GlobalMode): void {
    this.referee.accountModeChanged(mode);
  }

  setInstanceTag(id: string, key: string, value: string): void {
    const instance = this.liveInstance(id);
    instance.tags = { ...instance.tags, [key]: value };
    instance.group.snapshot = undefined;
  }

  makeUnhealthy(id: string): void {
    const instance = this.liveInstance(id);
    if (!instance.healthy) return;
    instance.healthy = false;
    instance.unhealthySince = this.clock.now();
    instance.group.snapshot = undefined;
    this.schedule({ at: this.clock.now() + HEALTH_CHECK_DELAY, kind: 'health-check', group: instance.group });
  }

  /** EnterStandby: the instance stops counting toward desired, so Auto Scaling launches a replacement unless desired is decremented. */
  enterStandby(id: string, options: { readonly decrementDesired: boolean } = { decrementDesired: false }): void {
    const instance = this.liveInstance(id);
    const group = instance.group;
    if (instance.state !== 'InService') throw new Error(`${id} is ${instance.state}; only an InService instance can enter Standby`);
    if (options.decrementDesired && group.desired - 1 < group.min) throw new Error(`decrementing desired of ${group.name} would go below min ${group.min}`);
    this.written(group);
    if (options.decrementDesired) {
      this.referee.ownerSetDesired(group.name);
      group.desired -= 1;
    }
    this.setState(instance, 'Standby');
    this.reconcile(group);
  }

  /** The instance vanishes without any lifecycle (someone used EC2 TerminateInstances, a host died). */
  removeInstanceSilently(id: string): void {
    const instance = this.liveInstance(id);
    this.retire(instance);
    this.activity(instance.group, 'vanished', id);
    this.reconcile(instance.group);
  }

  suspendProcesses(groupName: string, names: readonly string[]): void {
    const group = this.group(groupName);
    this.written(group);
    for (const name of names) group.suspended.add(name);
    group.snapshot = undefined;
  }

  resumeProcesses(groupName: string, names: readonly string[]): void {
    const group = this.group(groupName);
    this.written(group);
    for (const name of names) group.suspended.delete(name);
    group.snapshot = undefined;
    this.reconcile(group);
  }

  /** A deploy: new instances use this version, the running ones become stale. */
  setLaunchTemplateVersion(groupName: string, version: string): void {
    const group = this.group(groupName);
    this.written(group);
    group.version = version;
    group.snapshot = undefined;
  }

  setInstanceRefresh(groupName: string, inProgress: boolean): void {
    const group = this.group(groupName);
    this.written(group);
    group.instanceRefresh = inProgress;
    group.snapshot = undefined;
  }

  // ---- Measurements ----

  violations(): Violations {
    return this.referee.violations();
  }

  /** Groups whose desired capacity Phoenix has raised and not yet given back. */
  surgingGroups(): string[] {
    return this.referee.surgingGroups();
  }

  /** Every mutating call Phoenix made, in order. */
  calls(): readonly PhoenixCall[] {
    return this.log;
  }

  activities(): readonly ScalingActivity[] {
    return this.activityLog;
  }

  series(groupName: string): readonly GroupSample[] {
    return this.group(groupName).series;
  }

  /** The group as DescribeAutoScalingGroups shows it, opted in or not, never faulted: what the world outside Phoenix sees. */
  view(groupName: string): Group {
    return this.snapshot(this.group(groupName));
  }

  /**
   * Over every InService stretch inside [start, until] of instances in groups that are live
   * (`phoenix:enabled=true`, tags parse) with a max-age: the share of instance-hours at an age within
   * max-age + tolerance, computed exactly per stretch. Exempt and scale-in-protected instances are left
   * out: Phoenix is told never to pick them, so their age says nothing about how well it recycles.
   */
  ageStats(options: { readonly until: Millis; readonly tolerance: Millis; readonly group?: string }): AgeStats {
    const { until, tolerance } = options;
    let total = 0;
    let within = 0;
    let oldest = 0;
    for (const group of this.groups.values()) {
      if (options.group !== undefined && group.name !== options.group) continue;
      const policy = livePolicy(group.tags);
      if (policy === undefined) continue;
      oldest = Math.max(oldest, this.oldestAge(group, until) ?? 0);
      if (policy.maxAge === undefined) continue;
      const limitAfterLaunch = policy.maxAge + tolerance;
      for (const instance of [...group.retired, ...group.live.values()]) {
        if (isExempt(instance) || instance.protectedFromScaleIn) continue;
        const limit = instance.launchedAt + limitAfterLaunch;
        const stretches = instance.inServiceSince === undefined ? instance.service : [...instance.service, [instance.inServiceSince, until] as const];
        for (const [from, to] of stretches) {
          const a = Math.max(from, this.start);
          const b = Math.min(to, until);
          if (b <= a) continue;
          total += b - a;
          within += Math.max(0, Math.min(b, limit) - a);
        }
      }
    }
    return { withinMaxAgePct: total === 0 ? 100 : (within / total) * 100, oldestInstanceHours: oldest / HOUR };
  }

  /** Age in hours at `until` of the group's oldest instance that is not terminating, exempt or protected. */
  oldestInstanceHours(groupName: string, until: Millis): number | undefined {
    const age = this.oldestAge(this.group(groupName), until);
    return age === undefined ? undefined : age / HOUR;
  }

  // ---- Internals ----

  private addGroup(spec: SimGroupSpec): void {
    if (this.groups.has(spec.name)) throw new Error(`duplicate group name ${spec.name}`);
    if (!(spec.min <= spec.desired && spec.desired <= spec.max && spec.min >= 0 && Number.isInteger(spec.desired))) {
      throw new Error(`group ${spec.name}: need whole numbers with min ${spec.min} <= desired ${spec.desired} <= max ${spec.max}`);
    }
    const launchDelay = spec.launchDelay ?? DEFAULT_LAUNCH_DELAY;
    if (!(launchDelay.min >= 0 && launchDelay.min <= launchDelay.max)) throw new Error(`group ${spec.name}: launchDelay needs 0 <= min <= max`);
    const group: SimGroup = {
      name: spec.name,
      desired: spec.desired,
      min: spec.min,
      max: spec.max,
      tags: { ...spec.tags },
      templateId: spec.launchTemplate.id,
      version: spec.launchTemplate.version,
      suspended: new Set(spec.suspendedProcesses ?? []),
      live: new Map(),
      retired: [],
      launchDelay,
      launchHookWait: spec.launchHookWait ?? 0,
      terminateHookWait: spec.terminateHookWait ?? DEFAULT_TERMINATE_HOOK_WAIT,
      launchesFailFrom: undefined,
      retryScheduled: false,
      instanceRefresh: false,
      series: [],
      snapshot: undefined,
    };
    this.groups.set(spec.name, group);
    this.referee.addGroup(spec.name, group.tags);
    for (const instance of spec.instances) {
      if (!(instance.age >= 0)) throw new Error(`group ${spec.name}: instance ages must be >= 0`);
      this.createInstance(group, {
        launchedAt: this.start - instance.age,
        state: 'InService',
        version: instance.launchTemplateVersion ?? spec.launchTemplate.version,
        tags: instance.tags ?? {},
        protectedFromScaleIn: instance.protectedFromScaleIn ?? false,
      });
    }
  }

  private createInstance(
    group: SimGroup,
    init: { launchedAt: Millis; state: SimState; version: string; tags: Readonly<Record<string, string>>; protectedFromScaleIn: boolean },
  ): SimInstance {
    this.launched += 1;
    const instance: SimInstance = {
      id: instanceId(this.launched),
      ordinal: this.launched,
      group,
      launchedAt: init.launchedAt,
      version: init.version,
      state: init.state,
      healthy: true,
      unhealthySince: undefined,
      protectedFromScaleIn: init.protectedFromScaleIn,
      tags: { ...init.tags },
      inServiceSince: init.state === 'InService' ? this.clock.now() : undefined,
      service: [],
    };
    group.live.set(instance.id, instance);
    this.instances.set(instance.id, instance);
    group.snapshot = undefined;
    return instance;
  }

  private group(name: string): SimGroup {
    const group = this.groups.get(name);
    if (group === undefined) throw new Error(`no simulated group named ${name}`);
    return group;
  }

  private liveInstance(id: string): SimInstance {
    const instance = this.instances.get(id);
    if (instance === undefined || instance.state === 'Terminated') throw new Error(`no live simulated instance ${id}`);
    return instance;
  }

  private schedule(event: Omit<StepEvent, 'seq'> | Omit<GroupEvent, 'seq'>): void {
    this.sequence += 1;
    this.queue.push({ ...event, seq: this.sequence });
  }

  private handle(event: SimEvent): void {
    if (event.kind !== 'step') {
      if (event.kind === 'retry-launch') event.group.retryScheduled = false;
      this.reconcile(event.group);
      return;
    }
    const { instance, from } = event;
    // A step scheduled for a state the instance already left (it vanished, say) is void.
    if (instance.state !== from) return;
    const group = instance.group;
    const now = this.clock.now();
    switch (from) {
      case 'Pending':
        if (group.launchHookWait > 0) {
          this.setState(instance, 'Pending:Wait');
          this.schedule({ at: now + group.launchHookWait, kind: 'step', instance, from: 'Pending:Wait' });
        } else {
          this.enterService(instance);
        }
        return;
      case 'Pending:Wait':
        this.enterService(instance);
        return;
      case 'Terminating':
      case 'Terminating:Wait':
        this.setState(instance, 'Terminating:Proceed');
        this.schedule({ at: now + SHUTDOWN_DELAY, kind: 'step', instance, from: 'Terminating:Proceed' });
        return;
      case 'Terminating:Proceed':
        this.retire(instance);
        this.lifecycleEvent(group, 'EC2 Instance Terminate Successful', instance.id);
        return;
    }
  }

  private enterService(instance: SimInstance): void {
    this.setState(instance, 'InService');
    this.lifecycleEvent(instance.group, 'EC2 Instance Launch Successful', instance.id);
  }

  private lifecycleEvent(group: SimGroup, detailType: LifecycleDetailType, id: string | undefined): void {
    const at = this.clock.now();
    this.lifecycleEvents.push(Object.freeze(id === undefined ? { at, group: group.name, detailType } : { at, group: group.name, detailType, instanceId: id }));
  }

  private setState(instance: SimInstance, state: SimState): void {
    const now = this.clock.now();
    if (instance.inServiceSince !== undefined && state !== 'InService') {
      instance.service.push([instance.inServiceSince, now]);
      instance.inServiceSince = undefined;
    }
    if (state === 'InService' && instance.state !== 'InService') instance.inServiceSince = now;
    instance.state = state;
    instance.group.snapshot = undefined;
  }

  private retire(instance: SimInstance): void {
    this.setState(instance, 'Terminated');
    instance.group.live.delete(instance.id);
    instance.group.retired.push(instance);
  }

  private beginTermination(instance: SimInstance, cause: ActivityKind): void {
    const wait = instance.group.terminateHookWait;
    const state: SimState = wait > 0 ? 'Terminating:Wait' : 'Terminating';
    this.setState(instance, state);
    this.schedule({ at: this.clock.now() + wait, kind: 'step', instance, from: state });
    this.activity(instance.group, cause, instance.id);
  }

  private launch(group: SimGroup): void {
    const now = this.clock.now();
    const { min, max } = group.launchDelay;
    const delay = Math.round(min + this.random() * (max - min));
    const instance = this.createInstance(group, { launchedAt: now, state: 'Pending', version: group.version, tags: {}, protectedFromScaleIn: false });
    this.schedule({ at: now + delay, kind: 'step', instance, from: 'Pending' });
    this.activity(group, 'launch', instance.id);
  }

  /** The group's control loop: replace unhealthy instances, then launch or scale in toward desired. */
  private reconcile(group: SimGroup): void {
    const now = this.clock.now();
    if (!group.suspended.has('ReplaceUnhealthy') && !group.suspended.has('HealthCheck')) {
      for (const instance of group.live.values()) {
        if (instance.state === 'InService' && instance.unhealthySince !== undefined && now >= instance.unhealthySince + HEALTH_CHECK_DELAY) {
          this.beginTermination(instance, 'replace-unhealthy');
        }
      }
    }
    let counted = 0;
    for (const instance of group.live.values()) if (COUNTED.has(instance.state)) counted += 1;
    if (counted < group.desired) this.scaleOut(group, group.desired - counted);
    else if (counted > group.desired) this.scaleIn(group, counted - group.desired);
  }

  private scaleOut(group: SimGroup, missing: number): void {
    if (group.suspended.has('Launch')) return;
    const now = this.clock.now();
    if (group.launchesFailFrom !== undefined && now >= group.launchesFailFrom) {
      this.activity(group, 'launch-failed', undefined);
      this.lifecycleEvent(group, 'EC2 Instance Launch Unsuccessful', undefined);
      if (!group.retryScheduled) {
        group.retryScheduled = true;
        this.schedule({ at: now + LAUNCH_RETRY_DELAY, kind: 'retry-launch', group });
      }
      return;
    }
    for (let index = 0; index < missing; index += 1) this.launch(group);
  }

  private scaleIn(group: SimGroup, excess: number): void {
    if (group.suspended.has('Terminate')) return;
    const choices = [...group.live.values()]
      .filter((instance) => COUNTED.has(instance.state) && !instance.protectedFromScaleIn)
      .sort(scaleInOrder(group.version));
    for (const victim of choices.slice(0, excess)) this.beginTermination(victim, 'scale-in');
  }

  private snapshot(group: SimGroup): Group {
    if (group.snapshot !== undefined) return group.snapshot;
    let scalingActivityInProgress = false;
    const instances: Instance[] = [];
    for (const instance of group.live.values()) {
      if (TRANSITIONAL.has(instance.state)) scalingActivityInProgress = true;
      const launchSource: LaunchSource = Object.freeze({ kind: 'template', id: group.templateId, version: instance.version });
      instances.push(
        Object.freeze({
          id: instance.id,
          lifecycleState: instance.state as LifecycleState,
          healthy: instance.healthy,
          launchedAt: instance.launchedAt,
          protectedFromScaleIn: instance.protectedFromScaleIn,
          tags: Object.freeze({ ...instance.tags }),
          launchSource,
        }),
      );
    }
    group.snapshot = Object.freeze({
      name: group.name,
      desired: group.desired,
      min: group.min,
      max: group.max,
      tags: Object.freeze({ ...group.tags }),
      instances: Object.freeze(instances),
      suspendedProcesses: Object.freeze([...group.suspended]),
      scalingActivityInProgress,
      instanceRefreshInProgress: group.instanceRefresh,
      launchSource: Object.freeze({ kind: 'template', id: group.templateId, version: group.version }),
    });
    return group.snapshot;
  }

  private sample(group: SimGroup): void {
    let inServiceHealthy = 0;
    let inTransition = 0;
    for (const instance of group.live.values()) {
      if (instance.state === 'InService' && instance.healthy) inServiceHealthy += 1;
      else if (TRANSITIONAL.has(instance.state)) inTransition += 1;
    }
    const at = this.clock.now();
    const oldest = this.oldestAge(group, at);
    const sample: GroupSample = { at, desired: group.desired, inServiceHealthy, inTransition, oldestAgeHours: oldest === undefined ? undefined : oldest / HOUR };
    // Advancing to the same instant again refreshes its sample instead of adding one.
    if (group.series.at(-1)?.at === at) group.series[group.series.length - 1] = sample;
    else group.series.push(sample);
  }

  private oldestAge(group: SimGroup, at: Millis): Millis | undefined {
    let oldest: Millis | undefined;
    for (const instance of group.live.values()) {
      if (!NON_TERMINATING.has(instance.state) || isExempt(instance) || instance.protectedFromScaleIn) continue;
      const age = at - instance.launchedAt;
      if (oldest === undefined || age > oldest) oldest = age;
    }
    return oldest;
  }

  private activity(group: SimGroup, kind: ActivityKind, id: string | undefined): void {
    const at = this.clock.now();
    this.activityLog.push(Object.freeze(id === undefined ? { at, group: group.name, kind } : { at, group: group.name, kind, instanceId: id }));
  }

  /** An injected fault is drawn synchronously at call time (so the order of draws is the order of calls), then the call yields. */
  private async enter(operation: string, call: CallBase | undefined): Promise<void> {
    const fault = this.drawFault(operation);
    if (fault !== undefined) {
      if (call !== undefined) this.record(call, 'fault', []);
      throw fault;
    }
    await Promise.resolve();
  }

  private drawFault(operation: string): SimServiceError | undefined {
    if (this.faults === undefined) return undefined;
    const draw = this.faultRandom();
    if (draw < this.faults.throttleRate) return new SimServiceError('ThrottlingException', operation);
    if (draw < this.faults.throttleRate + this.faults.serverErrorRate) return new SimServiceError('ServiceUnavailable', operation);
    return undefined;
  }

  private requireGroup(call: CallBase): SimGroup {
    const group = this.groups.get(call.group);
    if (group === undefined) this.reject(call, `AutoScalingGroup name not found - ${call.group}`);
    return group;
  }

  private record(call: CallBase, outcome: PhoenixCall['outcome'], violations: readonly ViolationKind[]): void {
    this.log.push(Object.freeze({ ...call, at: this.clock.now(), outcome, violations: Object.freeze([...violations]) }));
  }

  /** Refuses the call like AWS does: it changed nothing, so it broke nothing. */
  private reject(call: CallBase, message: string): never {
    this.record(call, 'rejected', []);
    throw new SimValidationError(message);
  }

  /** Refuses a terminate aimed at an instance no longer in service: Phoenix tried to terminate it twice. */
  private rejectTwice(call: CallBase, message: string, gone?: string): never {
    this.referee.terminateRefused();
    this.record(call, 'rejected', ['doubleTermination']);
    const refusal = new SimValidationError(message);
    // Auto Scaling's answer for an instance it no longer knows, as the AWS adapter reports it.
    throw gone === undefined ? refusal : new InstanceGoneError(gone, message, { cause: refusal });
  }

  /** What the referee needs to judge a termination, from the simulator's state before it happens. */
  private terminationFacts(group: SimGroup, victim: SimInstance, decrementDesired: boolean): TerminationFacts {
    let healthyOthers = 0;
    for (const instance of group.live.values()) {
      if (instance !== victim && instance.state === 'InService' && instance.healthy) healthyOthers += 1;
    }
    return {
      group: group.name,
      victimLaunchOrdinal: victim.ordinal,
      victimProtectedOrExempt: victim.protectedFromScaleIn || isExempt(victim),
      decrementDesired,
      desiredBefore: group.desired,
      healthyOthers,
    };
  }

  /** Any write to the group: with Describe lag, reads may show it as it is now for a while longer. */
  private written(group: SimGroup): void {
    this.lag?.written(this.snapshot(group), this.clock.now());
  }

  /** The group as a Describe call sees it now. */
  private read(group: SimGroup): Group {
    const current = this.snapshot(group);
    return this.lag === undefined ? current : this.lag.read(current, this.clock.now());
  }
}
