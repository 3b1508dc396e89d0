import type { InvokeResult, RecyclerFacts } from '../../adapters/deployed-recycler.js';
import type { ReceivedEventLine } from '../../adapters/verifier-logs.js';
import type { Group, Millis, ReplacementRecord } from '../../core/model.js';
import type { SelftestRequest } from '../../core/selftest/request.js';
import type { TaintProbeRequest } from '../../core/selftest/taint-probe.js';

/** What the self-test reads and makes in the account, with the caller's own credentials. */
export interface SelftestCloud {
  /** The latest Amazon Linux arm64 image, from its SSM public parameter. */
  latestArm64Image(): Promise<string>;
  /** The cheapest current-generation arm64 instance type offered in the region. */
  cheapestArm64Type(): Promise<string>;
  /** The default VPC's default subnets; undefined when the region has no default VPC. */
  defaultSubnets(): Promise<readonly string[] | undefined>;
  /** Returns the template's id. */
  createLaunchTemplate(name: string, image: string, instanceType: string): Promise<string>;
  /** Done when the template is gone, also when it never was made. */
  deleteLaunchTemplate(name: string): Promise<void>;
  createGroup(spec: GroupSpec): Promise<void>;
  /** Deletes the group and terminates its instances; done when the group is gone, also when it never was made. */
  deleteGroup(name: string): Promise<void>;
  describeGroup(name: string): Promise<Group | undefined>;
  /** Launches one instance from the template, outside any group; returns its id. */
  launchInstance(spec: InstanceSpec): Promise<string>;
  /** The instance's state (pending, running...); undefined while EC2 does not show it. */
  instanceState(instanceId: string): Promise<string | undefined>;
  /** Done when the instance is terminating or gone, also when EC2 never knew it. */
  terminateInstance(instanceId: string): Promise<void>;
  /** The self-test's instances (tagged phoenix:selftest=true) with this Name that are not terminated yet. */
  selftestInstancesNamed(name: string): Promise<string[]>;
  tagInstance(instanceId: string, tags: Readonly<Record<string, string>>): Promise<void>;
  /** The description of Auto Scaling's activity that terminated the instance, once there is one. */
  terminationActivity(group: string, instanceId: string): Promise<string | undefined>;
  groupRecords(ledgerTable: string, group: string, since: Millis): Promise<ReplacementRecord[]>;
  /** The parameter's value; undefined when it does not exist. */
  parameterValue(name: string): Promise<string | undefined>;
  /** Each named alarm's state; an alarm that does not exist is left out. */
  alarmStates(names: readonly string[]): Promise<ReadonlyMap<string, string>>;
  dashboardExists(name: string): Promise<boolean>;
}

export interface GroupSpec {
  readonly name: string;
  readonly launchTemplateId: string;
  readonly subnets: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface InstanceSpec {
  readonly launchTemplateId: string;
  readonly subnet: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The deployed recycler as its function's configuration describes it; what the verifier logged of an Auto Scaling event. */
export type { InvokeResult, ReceivedEventLine, RecyclerFacts };

/** The deployed recycler: what it was deployed with, and a direct invocation with a self-test event. */
export interface DeployedRecycler {
  /** Undefined when no such function is deployed (no stack of that stage in the region). */
  facts(): Promise<RecyclerFacts | undefined>;
  invoke(request: SelftestRequest): Promise<InvokeResult>;
}

/** The deployed tainter: whether it is there, and a direct invocation with its taint probe. */
export interface DeployedTainter {
  readonly functionName: string;
  /** False when no such function is deployed. */
  deployed(): Promise<boolean>;
  invoke(request: TaintProbeRequest): Promise<InvokeResult>;
}

/** The deployed verifier's log group, read with the caller's credentials for the lines it writes about Auto Scaling's events. */
export interface VerifierLogs {
  readonly functionName: string;
  readonly logGroup: string;
  /** False when no such function is deployed. */
  deployed(): Promise<boolean>;
  /** The Auto Scaling events the verifier logged since `since`; undefined when its log group does not exist. */
  receivedEvents(since: Millis): Promise<readonly ReceivedEventLine[] | undefined>;
}

/** Time as the self-test measures and waits for it; the tests' clock jumps instead of waiting. */
export interface SelftestClock {
  now(): Millis;
  /** Resolves after `ms`, or rejects at once when the signal aborts (an interrupt). */
  sleep(ms: Millis, signal: AbortSignal): Promise<void>;
}

export interface SelftestPorts {
  readonly cloud: SelftestCloud;
  readonly recycler: DeployedRecycler;
  readonly tainter: DeployedTainter;
  readonly verifierLogs: VerifierLogs;
  readonly clock: SelftestClock;
  /** Says what is happening along the way (stderr). */
  readonly progress: (line: string) => void;
}
