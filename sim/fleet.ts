import type { RandomSource } from '../functions/core/decide/random.js';
import { seededRandom } from '../functions/core/decide/random.js';
import type { GlobalMode, Group, Millis } from '../functions/core/model.js';
import { MINUTE } from '../functions/core/model.js';
import type { FleetPort } from '../functions/core/ports.js';
import { AutoScaling } from './auto-scaling.js';
import type { LifecycleEvent, Release, ScalingActivity, SimGroupSpec } from './auto-scaling-state.js';
import { VirtualClock } from './clock.js';
import { FleetControls } from './fleet-controls.js';
import type { AgeDebt, AgeStats, AgeStatsOptions, GroupSample } from './fleet-measurements.js';
import { FleetMeasurements } from './fleet-measurements.js';
import type { FaultRates, PhoenixCall } from './fleet-port.js';
import { SimFleetPort } from './fleet-port.js';
import type { Violations } from './referee.js';
import { Referee } from './referee.js';
import type { SnoozeFigures } from './snooze-watch.js';

export type { ActivityKind, LifecycleEvent, SimGroupSpec, SimInstanceSpec } from './auto-scaling-state.js';
export type { FaultRates, PhoenixCall } from './fleet-port.js';
export type { ViolationKind, Violations } from './referee.js';
export { VIOLATION_KINDS } from './referee.js';

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

const DEFAULT_TICK_INTERVAL: Millis = 10 * MINUTE;

/**
 * EC2 Auto Scaling over a virtual clock, as one object: the FleetPort the recycler is handed, the
 * controls scenarios act through, and the measurements of what Phoenix's calls actually did, each a
 * part of its own over the one model and the one referee.
 */
export class SimFleet implements FleetPort {
  private readonly clock: VirtualClock;
  private readonly model: AutoScaling;
  private readonly referee: Referee;
  private readonly port: SimFleetPort;
  private readonly controls: FleetControls;
  private readonly measurements: FleetMeasurements;

  constructor(options: SimFleetOptions) {
    this.clock = new VirtualClock(options.start);
    // The fleet's first draw, taken whatever the fault rates, so enabling faults leaves the fleet's draws alone.
    const faultRandom = seededRandom(Math.floor(options.random() * 2 ** 32));
    this.referee = new Referee({ clock: this.clock, tickInterval: options.tickInterval ?? DEFAULT_TICK_INTERVAL, describeLag: options.describeLag ?? 0 });
    const lag = options.describeLag === undefined ? {} : { describeLag: options.describeLag };
    this.model = new AutoScaling({ clock: this.clock, start: options.start, random: options.random, groups: options.groups, ...lag });
    for (const group of this.model.groups()) this.referee.addGroup(group.name, group.tags);
    this.port = new SimFleetPort({ model: this.model, referee: this.referee, clock: this.clock, faultRandom, faults: options.faults });
    this.controls = new FleetControls(this.model, this.referee);
    this.measurements = new FleetMeasurements(this.model, this.referee, this.clock, options.start);
  }

  now(): Millis {
    return this.clock.now();
  }

  /** Runs Auto Scaling's own work (launches, hooks, shutdowns, retries) in time order up to `at`, then samples every group. */
  advanceTo(at: Millis): void {
    this.model.advanceTo(at);
    this.measurements.sample();
    this.referee.advance();
  }

  /** When Auto Scaling next does something on its own, if ever: lets a runner stop at each change. */
  nextEventAt(): Millis | undefined {
    return this.model.nextEventAt();
  }

  /** Removes and returns the lifecycle events that happened at or before `until`, in time order. */
  drainLifecycleEvents(until: Millis): LifecycleEvent[] {
    return this.model.drainLifecycleEvents(until);
  }

  // ---- FleetPort ----

  listOptedInGroups(): Promise<Group[]> {
    return this.port.listOptedInGroups();
  }

  describeGroups(names: readonly string[]): Promise<ReadonlyMap<string, Group>> {
    return this.port.describeGroups(names);
  }

  recheckGroups(groups: readonly Group[]): Promise<ReadonlyMap<string, Group>> {
    return this.port.recheckGroups(groups);
  }

  setDesiredCapacity(groupName: string, desired: number): Promise<void> {
    return this.port.setDesiredCapacity(groupName, desired);
  }

  setMaxSize(groupName: string, maxSize: number): Promise<void> {
    return this.port.setMaxSize(groupName, maxSize);
  }

  terminateInstance(groupName: string, id: string, options: { decrementDesired: boolean }): Promise<void> {
    return this.port.terminateInstance(groupName, id, options);
  }

  tagGroup(groupName: string, tags: Readonly<Record<string, string>>): Promise<void> {
    return this.port.tagGroup(groupName, tags);
  }

  untagGroup(groupName: string, keys: readonly string[]): Promise<void> {
    return this.port.untagGroup(groupName, keys);
  }

  // ---- Controls: the world acting on the fleet, never faulted and never counted as Phoenix ----

  setFaults(faults: FaultRates | undefined): void {
    this.port.setFaults(faults);
  }

  failLaunches(groupName: string, from: Millis): void {
    this.controls.failLaunches(groupName, from);
  }

  restoreLaunches(groupName: string): void {
    this.controls.restoreLaunches(groupName);
  }

  setDesiredExternally(groupName: string, desired: number): void {
    this.controls.setDesiredExternally(groupName, desired);
  }

  setMaxExternally(groupName: string, maxSize: number): void {
    this.controls.setMaxExternally(groupName, maxSize);
  }

  setGroupTag(groupName: string, key: string, value: string | undefined): void {
    this.controls.setGroupTag(groupName, key, value);
  }

  accountModeChanged(mode: GlobalMode): void {
    this.controls.accountModeChanged(mode);
  }

  setInstanceTag(id: string, key: string, value: string): void {
    this.controls.setInstanceTag(id, key, value);
  }

  makeUnhealthy(id: string): void {
    this.controls.makeUnhealthy(id);
  }

  enterStandby(id: string, options?: { readonly decrementDesired: boolean }): void {
    this.controls.enterStandby(id, options);
  }

  removeInstanceSilently(id: string): void {
    this.controls.removeInstanceSilently(id);
  }

  suspendProcesses(groupName: string, names: readonly string[]): void {
    this.controls.suspendProcesses(groupName, names);
  }

  resumeProcesses(groupName: string, names: readonly string[]): void {
    this.controls.resumeProcesses(groupName, names);
  }

  setLaunchTemplateVersion(groupName: string, version: string, release?: Release): void {
    this.controls.setLaunchTemplateVersion(groupName, version, release);
  }

  setInstanceRefresh(groupName: string, inProgress: boolean): void {
    this.controls.setInstanceRefresh(groupName, inProgress);
  }

  // ---- Measurements ----

  /** Groups a deploy reached, and whether a bad release reached them. */
  deployedGroups(): ReadonlyMap<string, boolean> {
    return this.controls.deployed;
  }

  violations(): Violations {
    return this.measurements.violations();
  }

  snoozeFigures(): SnoozeFigures {
    return this.measurements.snoozeFigures();
  }

  surgingGroups(): string[] {
    return this.measurements.surgingGroups();
  }

  /** Groups whose max size Phoenix raised and has not given back, as the referee sees them. */
  raisedMaxGroups(): string[] {
    return this.referee.raisedMaxGroups();
  }

  /** Every mutating call Phoenix made, in order. */
  calls(): readonly PhoenixCall[] {
    return this.port.calls();
  }

  activities(): readonly ScalingActivity[] {
    return this.measurements.activities();
  }

  series(groupName: string): readonly GroupSample[] {
    return this.measurements.series(groupName);
  }

  view(groupName: string): Group {
    return this.measurements.view(groupName);
  }

  ageStats(options: AgeStatsOptions): AgeStats {
    return this.measurements.ageStats(options);
  }

  ageDebt(until: Millis, tolerance: Millis): AgeDebt {
    return this.measurements.ageDebt(until, tolerance);
  }

  oldestInstanceHours(groupName: string, until: Millis): number | undefined {
    return this.measurements.oldestInstanceHours(groupName, until);
  }
}
