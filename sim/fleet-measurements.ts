import type { Group, Millis } from '../functions/core/model.js';
import { HOUR } from '../functions/core/model.js';
import type { AutoScaling } from './auto-scaling.js';
import type { ScalingActivity, SimGroup } from './auto-scaling-state.js';
import { describeGroup, isExempt, NON_TERMINATING, TRANSITIONAL } from './auto-scaling-state.js';
import type { VirtualClock } from './clock.js';
import { livePolicy } from './live.js';
import type { Referee, Violations } from './referee.js';
import type { SnoozeFigures } from './snooze-watch.js';

/** A group's capacity as sampled at each advanceTo. */
export interface GroupSample {
  readonly at: Millis;
  readonly desired: number;
  readonly inServiceHealthy: number;
  /** Pending or terminating. */
  readonly inTransition: number;
  readonly oldestAgeHours: number | undefined;
}

export interface AgeStatsOptions {
  readonly until: Millis;
  readonly tolerance: Millis;
  /** Only this group. */
  readonly group?: string;
  /** Every group but these. */
  readonly except?: ReadonlySet<string>;
}

export interface AgeStats {
  readonly withinMaxAgePct: number;
  readonly oldestInstanceHours: number;
}

export interface AgeDebt {
  readonly hours: number;
  /** Per group that had one, when its first instance kept in service past max-age reached it (the run's start for one already past). */
  readonly firstBreaches: ReadonlyMap<string, Millis>;
}

/** What happened to the fleet, measured from the model's own state rather than from what Phoenix believed. */
export class FleetMeasurements {
  private readonly samples = new Map<SimGroup, GroupSample[]>();

  constructor(
    private readonly model: AutoScaling,
    private readonly referee: Referee,
    private readonly clock: VirtualClock,
    private readonly start: Millis,
  ) {}

  /** Records every group's capacity now; advancing to the same instant again refreshes its sample instead of adding one. */
  sample(): void {
    for (const group of this.model.groups()) this.sampleGroup(group);
  }

  violations(): Violations {
    return this.referee.violations();
  }

  snoozeFigures(): SnoozeFigures {
    return this.referee.snoozeFigures();
  }

  /** Groups whose desired capacity Phoenix has raised and not yet given back. */
  surgingGroups(): string[] {
    return this.referee.surgingGroups();
  }

  activities(): readonly ScalingActivity[] {
    return this.model.activities();
  }

  series(groupName: string): readonly GroupSample[] {
    return this.seriesOf(this.model.group(groupName));
  }

  /** The group as DescribeAutoScalingGroups shows it, opted in or not, never faulted: what the world outside Phoenix sees. */
  view(groupName: string): Group {
    return describeGroup(this.model.group(groupName));
  }

  /**
   * Over every InService stretch inside [start, until] of instances in groups that are live
   * (`phoenix:enabled=true`, tags parse) with a max-age: the share of instance-hours at an age within
   * max-age + tolerance, computed exactly per stretch. Exempt and scale-in-protected instances are left
   * out: Phoenix is told never to pick them, so their age says nothing about how well it recycles.
   */
  ageStats(options: AgeStatsOptions): AgeStats {
    const { until, tolerance } = options;
    let total = 0;
    let within = 0;
    let oldest = 0;
    for (const group of this.model.groups()) {
      if (options.group !== undefined && group.name !== options.group) continue;
      if (options.except?.has(group.name) === true) continue;
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

  /**
   * Instance-hours in service past max-age inside [start, until], and when each group's first instance
   * that stayed in service more than `tolerance` past max-age reached it: judged from the instances' own
   * service stretches, for live groups with max-age, exempt and protected instances left out as in `ageStats`.
   */
  ageDebt(until: Millis, tolerance: Millis): AgeDebt {
    let debt = 0;
    const firstBreaches = new Map<string, Millis>();
    for (const group of this.model.groups()) {
      const maxAge = livePolicy(group.tags)?.maxAge;
      if (maxAge === undefined) continue;
      for (const instance of [...group.retired, ...group.live.values()]) {
        if (isExempt(instance) || instance.protectedFromScaleIn) continue;
        const deadline = instance.launchedAt + maxAge;
        const stretches = instance.inServiceSince === undefined ? instance.service : [...instance.service, [instance.inServiceSince, until] as const];
        for (const [from, to] of stretches) {
          const a = Math.max(from, this.start, deadline);
          const b = Math.min(to, until);
          if (b <= a) continue;
          debt += b - a;
          if (b <= deadline + tolerance) continue;
          const first = firstBreaches.get(group.name);
          if (first === undefined || deadline < first) firstBreaches.set(group.name, Math.max(deadline, this.start));
        }
      }
    }
    return { hours: debt / HOUR, firstBreaches };
  }

  /** Age in hours at `until` of the group's oldest instance that is not terminating, exempt or protected. */
  oldestInstanceHours(groupName: string, until: Millis): number | undefined {
    const age = this.oldestAge(this.model.group(groupName), until);
    return age === undefined ? undefined : age / HOUR;
  }

  private seriesOf(group: SimGroup): GroupSample[] {
    let series = this.samples.get(group);
    if (series === undefined) {
      series = [];
      this.samples.set(group, series);
    }
    return series;
  }

  private sampleGroup(group: SimGroup): void {
    let inServiceHealthy = 0;
    let inTransition = 0;
    for (const instance of group.live.values()) {
      if (instance.state === 'InService' && instance.healthy) inServiceHealthy += 1;
      else if (TRANSITIONAL.has(instance.state)) inTransition += 1;
    }
    const at = this.clock.now();
    const oldest = this.oldestAge(group, at);
    const sample: GroupSample = {
      at,
      desired: group.desired,
      inServiceHealthy,
      inTransition,
      oldestAgeHours: oldest === undefined ? undefined : oldest / HOUR,
    };
    const series = this.seriesOf(group);
    if (series.at(-1)?.at === at) series[series.length - 1] = sample;
    else series.push(sample);
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
}
