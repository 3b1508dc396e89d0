import type { RandomSource } from '../functions/core/decide/random.js';
import { CallRefusedError, InstanceGoneError } from '../functions/core/errors.js';
import type { Group, Millis } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';
import type { FleetPort } from '../functions/core/ports.js';
import type { AutoScaling } from './auto-scaling.js';
import type { SimGroup, SimInstance } from './auto-scaling-state.js';
import { isExempt } from './auto-scaling-state.js';
import type { VirtualClock } from './clock.js';
import { SimServiceError, SimValidationError } from './errors.js';
import type { Referee, TerminationFacts, ViolationKind } from './referee.js';

export interface FaultRates {
  /** Share of calls that fail with ThrottlingException. */
  readonly throttleRate: number;
  /** Share of calls that fail with ServiceUnavailable. */
  readonly serverErrorRate: number;
}

export type PhoenixCallKind = 'terminate' | 'set-desired' | 'set-max' | 'tag' | 'untag';

/** One mutating call Phoenix made, whether it took effect ('ok'), was refused, or hit an injected fault. */
export interface PhoenixCall {
  readonly at: Millis;
  readonly kind: PhoenixCallKind;
  readonly group: string;
  readonly instanceId?: string;
  readonly desired?: number;
  /** A max size call: the group's max before it, and the one asked for. */
  readonly fromMax?: number;
  readonly maxSize?: number;
  readonly decrementDesired?: boolean;
  readonly outcome: 'ok' | 'rejected' | 'fault';
  readonly violations: readonly ViolationKind[];
  /** A call that makes the group launch (a raise, a termination it replaces) onto a bad release: its names. */
  readonly badLaunch?: readonly string[];
}

type CallBase = Omit<PhoenixCall, 'at' | 'outcome' | 'violations'>;

const TAG_KEY_LIMIT = 128;
const TAG_VALUE_LIMIT = 256;

export interface SimFleetPortOptions {
  readonly model: AutoScaling;
  readonly referee: Referee;
  readonly clock: VirtualClock;
  /** A stream of its own, so that enabling faults leaves the model's draws alone. */
  readonly faultRandom: RandomSource;
  readonly faults: FaultRates | undefined;
}

/**
 * Auto Scaling's API as the recycler calls it: injected faults, AWS's refusals and its answer for a
 * vanished instance, every mutating call logged with what the referee judged it to break.
 */
export class SimFleetPort implements FleetPort {
  private readonly model: AutoScaling;
  private readonly referee: Referee;
  private readonly clock: VirtualClock;
  private readonly faultRandom: RandomSource;
  private faults: FaultRates | undefined;
  private readonly log: PhoenixCall[] = [];

  constructor(options: SimFleetPortOptions) {
    this.model = options.model;
    this.referee = options.referee;
    this.clock = options.clock;
    this.faultRandom = options.faultRandom;
    this.faults = options.faults;
  }

  setFaults(faults: FaultRates | undefined): void {
    this.faults = faults;
  }

  /** Every mutating call Phoenix made, in order. */
  calls(): readonly PhoenixCall[] {
    return this.log;
  }

  async listOptedInGroups(): Promise<Group[]> {
    await this.enter('DescribeAutoScalingGroups', undefined);
    const result: Group[] = [];
    for (const group of this.model.groups()) {
      const seen = this.model.read(group);
      if (TAG.enabled in seen.tags) result.push(seen);
    }
    return result;
  }

  async describeGroups(names: readonly string[]): Promise<ReadonlyMap<string, Group>> {
    await this.enter('DescribeAutoScalingGroups', undefined);
    const found = new Map<string, Group>();
    for (const name of names) {
      const group = this.model.findGroup(name);
      if (group !== undefined) found.set(name, this.model.read(group));
    }
    return found;
  }

  /** The simulator has no EC2 apart from Auto Scaling: a re-check is a describe of the same groups. */
  recheckGroups(groups: readonly Group[]): Promise<ReadonlyMap<string, Group>> {
    return this.describeGroups(groups.map((group) => group.name));
  }

  async setDesiredCapacity(groupName: string, desired: number): Promise<void> {
    const call: CallBase = { kind: 'set-desired', group: groupName, desired };
    await this.enter('SetDesiredCapacity', call);
    const group = this.requireGroup(call);
    if (!Number.isInteger(desired)) this.reject(call, `DesiredCapacity ${desired} is not a whole number`);
    if (desired > group.max) this.reject(call, `New SetDesiredCapacity value ${desired} is above max value ${group.max} for the AutoScalingGroup.`);
    if (desired < group.min) this.reject(call, `New SetDesiredCapacity value ${desired} is below min value ${group.min} for the AutoScalingGroup.`);
    const launching = desired > group.desired ? this.badLaunchOf(group) : {};
    this.record(
      { ...call, ...launching },
      'ok',
      this.referee.phoenixSetDesired(groupName, { from: group.desired, to: desired, launched: this.model.launched }),
    );
    this.model.written(group);
    group.desired = desired;
    group.snapshot = undefined;
    this.model.reconcile(group);
  }

  /** UpdateAutoScalingGroup with MaxSize alone; as in Auto Scaling, desired capacity above the new max comes down to it. */
  async setMaxSize(groupName: string, maxSize: number): Promise<void> {
    const found = this.model.findGroup(groupName);
    const call: CallBase = { kind: 'set-max', group: groupName, maxSize, ...(found === undefined ? {} : { fromMax: found.max }) };
    await this.enter('UpdateAutoScalingGroup', call);
    const group = this.requireGroup(call);
    if (!Number.isInteger(maxSize) || maxSize < 0) this.reject(call, `MaxSize ${maxSize} is not a whole number of at least 0`);
    if (maxSize < group.min) this.reject(call, `Max bound, ${maxSize}, must be greater than or equal to min bound, ${group.min}`);
    this.record({ ...call, fromMax: group.max }, 'ok', this.referee.phoenixSetMax(groupName, { from: group.max, to: maxSize, desired: group.desired }));
    this.model.written(group);
    group.max = maxSize;
    if (group.desired > maxSize) group.desired = maxSize;
    group.snapshot = undefined;
    this.model.reconcile(group);
  }

  async terminateInstance(groupName: string, id: string, options: { decrementDesired: boolean }): Promise<void> {
    const call: CallBase = { kind: 'terminate', group: groupName, instanceId: id, decrementDesired: options.decrementDesired };
    await this.enterTermination(`TerminateInstanceInAutoScalingGroup ${id}`, call);
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
    const launching = options.decrementDesired ? {} : this.badLaunchOf(group);
    this.record({ ...call, ...launching }, 'ok', this.referee.phoenixTerminate(this.terminationFacts(group, victim, options.decrementDesired)));
    this.model.written(group);
    if (options.decrementDesired) group.desired -= 1;
    this.model.beginTermination(victim, 'terminate-requested');
    this.model.reconcile(group);
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
    this.model.written(group);
    group.tags = { ...group.tags, ...tags };
    group.snapshot = undefined;
    this.referee.tagsChanged(groupName, group.tags);
  }

  async untagGroup(groupName: string, keys: readonly string[]): Promise<void> {
    const call: CallBase = { kind: 'untag', group: groupName };
    await this.enter('DeleteTags', call);
    const group = this.requireGroup(call);
    this.record(call, 'ok', []);
    this.model.written(group);
    const tags = { ...group.tags };
    for (const key of keys) delete tags[key];
    group.tags = tags;
    group.snapshot = undefined;
    this.referee.tagsChanged(groupName, group.tags);
  }

  private badLaunchOf(group: SimGroup): { badLaunch?: readonly string[] } {
    return this.model.badLaunch(group) === undefined ? {} : { badLaunch: [`${group.templateId}:${group.version}`, group.imageId] };
  }

  /** A termination's fault as the AWS adapter reports it: a throttle is a refusal that cannot have landed. */
  private async enterTermination(operation: string, call: CallBase): Promise<void> {
    try {
      await this.enter(operation.split(' ')[0] as string, call);
    } catch (error) {
      throw error instanceof SimServiceError && error.name === 'ThrottlingException' ? new CallRefusedError(operation, { cause: error }) : error;
    }
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
    const group = this.model.findGroup(call.group);
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
      victimTainted: TAG.tainted in victim.tags,
      decrementDesired,
      desiredBefore: group.desired,
      healthyOthers,
    };
  }
}
