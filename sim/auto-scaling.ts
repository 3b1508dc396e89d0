import type { RandomSource } from '../functions/core/decide/random.js';
import type { Group, Millis } from '../functions/core/model.js';
import { MINUTE } from '../functions/core/model.js';
import type {
  ActivityKind,
  BadLaunch,
  LifecycleDetailType,
  LifecycleEvent,
  ScalingActivity,
  SimGroup,
  SimGroupSpec,
  SimInstance,
  SimState,
} from './auto-scaling-state.js';
import { COUNTED, defaultImage, describeGroup } from './auto-scaling-state.js';
import type { VirtualClock } from './clock.js';
import { DescribeLag } from './describe-lag.js';
import { MinHeap } from './heap.js';

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

const DEFAULT_LAUNCH_DELAY = { min: 60_000, max: 180_000 } as const;
const DEFAULT_TERMINATE_HOOK_WAIT: Millis = 60_000;
/** EC2 shutdown after the hooks complete. */
const SHUTDOWN_DELAY: Millis = 30_000;
/** Auto Scaling retries a failed launch after this long. */
const LAUNCH_RETRY_DELAY: Millis = 5 * MINUTE;
/** An unhealthy instance is noticed at the next health check, not the instant it fails. */
const HEALTH_CHECK_DELAY: Millis = MINUTE;

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

export interface AutoScalingOptions {
  readonly clock: VirtualClock;
  readonly start: Millis;
  /** Launch delays and Describe lags are drawn from it, in the order they happen. */
  readonly random: RandomSource;
  readonly groups: readonly SimGroupSpec[];
  /** The longest Describe results may lag a write (eventual consistency); default none. */
  readonly describeLag?: Millis;
}

/**
 * EC2 Auto Scaling's own behaviour over a virtual clock: each group's control loop toward desired
 * capacity, instance lifecycles with their hooks, failed launches and their retries, health checks,
 * and Describe lag. Whoever changes a group (Phoenix through the port, the world through the controls)
 * changes its state here and lets the model react.
 */
export class AutoScaling {
  private readonly clock: VirtualClock;
  private readonly random: RandomSource;
  private readonly byName = new Map<string, SimGroup>();
  private readonly instances = new Map<string, SimInstance>();
  private readonly queue = new MinHeap<SimEvent>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  private sequence = 0;
  private launchCount = 0;
  private readonly lag: DescribeLag | undefined;
  private readonly activityLog: ScalingActivity[] = [];
  /** Emitted in time order, since the clock only moves forward; drained by the runner. */
  private readonly lifecycleEvents: LifecycleEvent[] = [];
  /** Releases that go wrong, by template version (`lt-…:N`) or AMI: what the world knows and Phoenix must find out. */
  private readonly badLaunches = new Map<string, BadLaunch>();

  constructor(options: AutoScalingOptions) {
    this.clock = options.clock;
    this.random = options.random;
    // Only a fleet with lag draws for it, so the fleet's other draws stay as they were without.
    this.lag = options.describeLag === undefined || options.describeLag <= 0 ? undefined : new DescribeLag(options.describeLag, options.random);
    for (const spec of options.groups) this.addGroup(spec, options.start);
    for (const group of this.byName.values()) this.reconcile(group);
  }

  /** How many instances the fleet has launched, the ones it started with included: a later launch has a higher ordinal. */
  get launched(): number {
    return this.launchCount;
  }

  groups(): IterableIterator<SimGroup> {
    return this.byName.values();
  }

  findGroup(name: string): SimGroup | undefined {
    return this.byName.get(name);
  }

  group(name: string): SimGroup {
    const group = this.byName.get(name);
    if (group === undefined) throw new Error(`no simulated group named ${name}`);
    return group;
  }

  liveInstance(id: string): SimInstance {
    const instance = this.instances.get(id);
    if (instance === undefined || instance.state === 'Terminated') throw new Error(`no live simulated instance ${id}`);
    return instance;
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

  activities(): readonly ScalingActivity[] {
    return this.activityLog;
  }

  /** From now on, launches of this template version or AMI go wrong this way. */
  markBad(key: string, how: BadLaunch): void {
    this.badLaunches.set(key, how);
  }

  /** How a launch of this source goes wrong, if it does. */
  badLaunch(source: { readonly templateId: string; readonly version: string; readonly imageId: string }): BadLaunch | undefined {
    return this.badLaunches.get(`${source.templateId}:${source.version}`) ?? this.badLaunches.get(source.imageId);
  }

  /** Any write to the group: with Describe lag, reads may show it as it is now for a while longer. */
  written(group: SimGroup): void {
    this.lag?.written(describeGroup(group), this.clock.now());
  }

  /** The group as a Describe call sees it now. */
  read(group: SimGroup): Group {
    const current = describeGroup(group);
    return this.lag === undefined ? current : this.lag.read(current, this.clock.now());
  }

  /** The group's control loop: replace unhealthy instances, then launch or scale in toward desired. */
  reconcile(group: SimGroup): void {
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

  beginTermination(instance: SimInstance, cause: ActivityKind): void {
    const wait = instance.group.terminateHookWait;
    const state: SimState = wait > 0 ? 'Terminating:Wait' : 'Terminating';
    this.setState(instance, state);
    this.schedule({ at: this.clock.now() + wait, kind: 'step', instance, from: state });
    this.activity(instance.group, cause, instance.id);
  }

  /** The instance fails its health check; the group notices at the next check and replaces it. */
  markUnhealthy(instance: SimInstance): void {
    if (!instance.healthy) return;
    instance.healthy = false;
    instance.unhealthySince = this.clock.now();
    instance.group.snapshot = undefined;
    this.schedule({ at: this.clock.now() + HEALTH_CHECK_DELAY, kind: 'health-check', group: instance.group });
  }

  setState(instance: SimInstance, state: SimState): void {
    const now = this.clock.now();
    if (instance.inServiceSince !== undefined && state !== 'InService') {
      instance.service.push([instance.inServiceSince, now]);
      instance.inServiceSince = undefined;
    }
    if (state === 'InService' && instance.state !== 'InService') instance.inServiceSince = now;
    instance.state = state;
    instance.group.snapshot = undefined;
  }

  retire(instance: SimInstance): void {
    this.setState(instance, 'Terminated');
    instance.group.live.delete(instance.id);
    instance.group.retired.push(instance);
  }

  activity(group: SimGroup, kind: ActivityKind, id: string | undefined): void {
    const at = this.clock.now();
    this.activityLog.push(Object.freeze(id === undefined ? { at, group: group.name, kind } : { at, group: group.name, kind, instanceId: id }));
  }

  private addGroup(spec: SimGroupSpec, start: Millis): void {
    if (this.byName.has(spec.name)) throw new Error(`duplicate group name ${spec.name}`);
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
      imageId: spec.launchTemplate.imageId ?? defaultImage(spec.launchTemplate.id, spec.launchTemplate.version),
      suspended: new Set(spec.suspendedProcesses ?? []),
      live: new Map(),
      retired: [],
      launchDelay,
      launchHookWait: spec.launchHookWait ?? 0,
      terminateHookWait: spec.terminateHookWait ?? DEFAULT_TERMINATE_HOOK_WAIT,
      launchesFailFrom: undefined,
      retryScheduled: false,
      instanceRefresh: false,
      snapshot: undefined,
    };
    this.byName.set(spec.name, group);
    for (const instance of spec.instances) {
      if (!(instance.age >= 0)) throw new Error(`group ${spec.name}: instance ages must be >= 0`);
      this.createInstance(group, {
        launchedAt: start - instance.age,
        state: 'InService',
        version: instance.launchTemplateVersion ?? spec.launchTemplate.version,
        imageId: instance.launchTemplateVersion === undefined ? group.imageId : defaultImage(spec.launchTemplate.id, instance.launchTemplateVersion),
        tags: instance.tags ?? {},
        protectedFromScaleIn: instance.protectedFromScaleIn ?? false,
        ...(instance.id === undefined ? {} : { id: instance.id }),
      });
    }
  }

  private createInstance(
    group: SimGroup,
    init: {
      launchedAt: Millis;
      state: SimState;
      version: string;
      imageId: string;
      tags: Readonly<Record<string, string>>;
      protectedFromScaleIn: boolean;
      id?: string;
    },
  ): SimInstance {
    this.launchCount += 1;
    const id = init.id ?? instanceId(this.launchCount);
    if (this.instances.has(id)) throw new Error(`group ${group.name}: instance id ${id} is already in the fleet`);
    const instance: SimInstance = {
      id,
      ordinal: this.launchCount,
      group,
      launchedAt: init.launchedAt,
      templateId: group.templateId,
      version: init.version,
      imageId: init.imageId,
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
    if (this.badLaunch(instance) === 'unhealthy') this.markUnhealthy(instance);
  }

  private lifecycleEvent(group: SimGroup, detailType: LifecycleDetailType, id: string | undefined): void {
    const at = this.clock.now();
    this.lifecycleEvents.push(Object.freeze(id === undefined ? { at, group: group.name, detailType } : { at, group: group.name, detailType, instanceId: id }));
  }

  private launch(group: SimGroup): void {
    const now = this.clock.now();
    const { min, max } = group.launchDelay;
    const delay = Math.round(min + this.random() * (max - min));
    const instance = this.createInstance(group, {
      launchedAt: now,
      state: 'Pending',
      version: group.version,
      imageId: group.imageId,
      tags: {},
      protectedFromScaleIn: false,
    });
    this.schedule({ at: now + delay, kind: 'step', instance, from: 'Pending' });
    this.activity(group, 'launch', instance.id);
  }

  private scaleOut(group: SimGroup, missing: number): void {
    if (group.suspended.has('Launch')) return;
    const now = this.clock.now();
    if ((group.launchesFailFrom !== undefined && now >= group.launchesFailFrom) || this.badLaunch(group) === 'no-launch') {
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
}
