import type { GlobalMode, Millis } from '../functions/core/model.js';
import type { AutoScaling } from './auto-scaling.js';
import type { Release } from './auto-scaling-state.js';
import { defaultImage } from './auto-scaling-state.js';
import type { Referee } from './referee.js';

/**
 * The world acting on the fleet: scaling policies, engineers, deploys, failing hosts, an operator.
 * Never faulted and never counted as Phoenix; the referee hears what changes the rules it judges by.
 */
export class FleetControls {
  /** Groups a deploy reached, and whether a bad release reached them: the ground truth a breaker is judged by. */
  readonly deployed = new Map<string, boolean>();

  constructor(
    private readonly model: AutoScaling,
    private readonly referee: Referee,
  ) {}

  /** Launches attempted at or after `from` fail until restored; Auto Scaling retries every 5 minutes. */
  failLaunches(groupName: string, from: Millis): void {
    this.model.group(groupName).launchesFailFrom = from;
  }

  restoreLaunches(groupName: string): void {
    const group = this.model.group(groupName);
    group.launchesFailFrom = undefined;
    this.model.reconcile(group);
  }

  /** A scaling policy or a person changing desired capacity under Phoenix's feet; clamped like a policy is. */
  setDesiredExternally(groupName: string, desired: number): void {
    const group = this.model.group(groupName);
    const clamped = Math.min(group.max, Math.max(group.min, Math.round(desired)));
    this.model.written(group);
    if (clamped !== group.desired) this.referee.ownerSetDesired(groupName);
    group.desired = clamped;
    group.snapshot = undefined;
    this.model.reconcile(group);
  }

  /**
   * An owner setting max size (a stack update, a person): their number stands, so a raise of Phoenix's
   * still open is theirs now. As in Auto Scaling, desired capacity above the new max comes down to it.
   */
  setMaxExternally(groupName: string, maxSize: number): void {
    const group = this.model.group(groupName);
    const max = Math.max(group.min, Math.round(maxSize));
    this.model.written(group);
    if (max !== group.max) this.referee.ownerSetMax(groupName);
    group.max = max;
    if (group.desired > max) {
      this.referee.ownerSetDesired(groupName);
      group.desired = max;
    }
    group.snapshot = undefined;
    this.model.reconcile(group);
  }

  setGroupTag(groupName: string, key: string, value: string | undefined): void {
    const group = this.model.group(groupName);
    this.model.written(group);
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
    const instance = this.model.liveInstance(id);
    instance.tags = { ...instance.tags, [key]: value };
    instance.group.snapshot = undefined;
  }

  makeUnhealthy(id: string): void {
    this.model.markUnhealthy(this.model.liveInstance(id));
  }

  /** EnterStandby: the instance stops counting toward desired, so Auto Scaling launches a replacement unless desired is decremented. */
  enterStandby(id: string, options: { readonly decrementDesired: boolean } = { decrementDesired: false }): void {
    const instance = this.model.liveInstance(id);
    const group = instance.group;
    if (instance.state !== 'InService') throw new Error(`${id} is ${instance.state}; only an InService instance can enter Standby`);
    if (options.decrementDesired && group.desired - 1 < group.min) throw new Error(`decrementing desired of ${group.name} would go below min ${group.min}`);
    this.model.written(group);
    if (options.decrementDesired) {
      this.referee.ownerSetDesired(group.name);
      group.desired -= 1;
    }
    this.model.setState(instance, 'Standby');
    this.model.reconcile(group);
  }

  /** The instance vanishes without any lifecycle (someone used EC2 TerminateInstances, a host died). */
  removeInstanceSilently(id: string): void {
    const instance = this.model.liveInstance(id);
    this.model.retire(instance);
    this.model.activity(instance.group, 'vanished', id);
    this.model.reconcile(instance.group);
  }

  suspendProcesses(groupName: string, names: readonly string[]): void {
    const group = this.model.group(groupName);
    this.model.written(group);
    for (const name of names) group.suspended.add(name);
    group.snapshot = undefined;
  }

  resumeProcesses(groupName: string, names: readonly string[]): void {
    const group = this.model.group(groupName);
    this.model.written(group);
    for (const name of names) group.suspended.delete(name);
    group.snapshot = undefined;
    this.model.reconcile(group);
  }

  /**
   * A deploy: new instances use this version (of another template, when named), with its AMI; the
   * running ones become stale. A bad release goes wrong for every group that launches it.
   */
  setLaunchTemplateVersion(groupName: string, version: string, release: Release = {}): void {
    const group = this.model.group(groupName);
    this.model.written(group);
    group.templateId = release.templateId ?? group.templateId;
    group.version = version;
    group.imageId = release.imageId ?? defaultImage(group.templateId, version);
    group.snapshot = undefined;
    if (release.bad !== undefined) this.model.markBad(release.imageId ?? `${group.templateId}:${version}`, release.bad);
    this.deployed.set(groupName, this.deployed.get(groupName) === true || this.model.badLaunch(group) !== undefined);
  }

  setInstanceRefresh(groupName: string, inProgress: boolean): void {
    const group = this.model.group(groupName);
    this.model.written(group);
    group.instanceRefresh = inProgress;
    group.snapshot = undefined;
  }
}
