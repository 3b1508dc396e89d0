import type { Group, Instance, LaunchSource, LifecycleState, Millis } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';

export interface SimInstanceSpec {
  /** A real instance's id, so a forecast of a real fleet names its instances; default the next of the fleet's sequence. */
  readonly id?: string;
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
  /** The AMI defaults to one of the template version's own (`defaultImage`). */
  readonly launchTemplate: { readonly id: string; readonly version: string; readonly imageId?: string };
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

/** A template version's own AMI when a scenario names none: every version its own image, as most pipelines bake. */
export function defaultImage(templateId: string, version: string): string {
  return `ami-${templateId.replace(/^lt-/, '')}v${version}`;
}

/** What goes wrong with a bad release: its instances never pass health checks, or never launch at all. */
export type BadLaunch = 'unhealthy' | 'no-launch';

/** What a deploy points a group at besides the version: another template, an AMI, and whether it goes wrong. */
export interface Release {
  readonly templateId?: string;
  readonly imageId?: string;
  readonly bad?: BadLaunch;
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

/** Lifecycle states plus the end of the road, which no API shows. */
export type SimState = LifecycleState | 'Terminated';

export interface SimInstance {
  readonly id: string;
  /** Its place in the order the fleet launched instances, from 1. */
  readonly ordinal: number;
  readonly group: SimGroup;
  readonly launchedAt: Millis;
  readonly templateId: string;
  readonly version: string;
  readonly imageId: string;
  state: SimState;
  healthy: boolean;
  unhealthySince: Millis | undefined;
  protectedFromScaleIn: boolean;
  tags: Record<string, string>;
  /** Start of the current InService stretch; closed stretches are in `service`. */
  inServiceSince: Millis | undefined;
  readonly service: (readonly [Millis, Millis])[];
}

export interface SimGroup {
  readonly name: string;
  desired: number;
  readonly min: number;
  max: number;
  tags: Record<string, string>;
  templateId: string;
  version: string;
  imageId: string;
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
  /** The frozen view last handed out; dropped on any change. */
  snapshot: Group | undefined;
}

/** Counted against desired capacity: Standby and terminating instances are not (Auto Scaling replaces them). */
export const COUNTED: ReadonlySet<SimState> = new Set<SimState>(['Pending', 'Pending:Wait', 'Pending:Proceed', 'InService']);
export const NON_TERMINATING: ReadonlySet<SimState> = new Set<SimState>([...COUNTED, 'Standby', 'EnteringStandby']);
export const TRANSITIONAL: ReadonlySet<SimState> = new Set<SimState>([
  'Pending',
  'Pending:Wait',
  'Pending:Proceed',
  'Terminating',
  'Terminating:Wait',
  'Terminating:Proceed',
]);

export function isExempt(instance: SimInstance): boolean {
  // Phoenix's own reading of the tag: any value but an explicit `false` exempts.
  const value = instance.tags[TAG.exempt];
  return value !== undefined && value.trim() !== 'false';
}

/** The group as DescribeAutoScalingGroups shows it now, frozen and kept until the group next changes. */
export function describeGroup(group: SimGroup): Group {
  if (group.snapshot !== undefined) return group.snapshot;
  let scalingActivityInProgress = false;
  const instances: Instance[] = [];
  for (const instance of group.live.values()) {
    if (TRANSITIONAL.has(instance.state)) scalingActivityInProgress = true;
    const launchSource: LaunchSource = Object.freeze({ kind: 'template', id: instance.templateId, version: instance.version, imageId: instance.imageId });
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
    launchSource: Object.freeze({ kind: 'template', id: group.templateId, version: group.version, imageId: group.imageId }),
  });
  return group.snapshot;
}
