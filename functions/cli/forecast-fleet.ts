import type { SimGroupSpec, SimInstanceSpec } from '../../sim/fleet.js';
import type { Group, Instance, LaunchSource, Millis, ReplacementRecord } from '../core/model.js';

/*
 * The real fleet as the simulator's starting state: the groups, their tags and sizes, the launch
 * source new instances get, and each instance with its real id, age, protection and tags (the exempt
 * tag among them), so the real recycler decides on the simulated copy exactly as it would on the real one.
 */

/** The states the simulator starts as in service; instances leaving the group (Terminating, Detaching, Standby) are left out. */
const STARTING_STATES: ReadonlySet<string> = new Set(['Pending', 'Pending:Wait', 'Pending:Proceed', 'InService']);

/** The simulator knows launch templates only: a launch configuration, or none resolved, becomes a template of its own. */
function templateOf(source: LaunchSource | undefined): { readonly id: string; readonly version: string } {
  if (source === undefined) return { id: 'unresolved', version: '1' };
  return source.kind === 'template' ? { id: source.id, version: source.version } : { id: `launch-configuration:${source.name}`, version: '1' };
}

function sameSource(a: LaunchSource, b: LaunchSource): boolean {
  if (a.kind === 'template' && b.kind === 'template') return a.id === b.id && a.version === b.version;
  return a.kind === 'configuration' && b.kind === 'configuration' && a.name === b.name;
}

/**
 * The version the simulated instance runs: the group's own unless the real instance is on another
 * source, which the simulator then sees as stale as the real recycler would. Without a resolved
 * source on either side the real recycler does no stale check, so neither does the copy.
 */
function versionOf(instance: Instance, group: Group): string | undefined {
  const current = group.launchSource;
  const own = instance.launchSource;
  if (current === undefined || own === undefined || sameSource(own, current)) return undefined;
  if (own.kind === 'template' && current.kind === 'template' && own.id === current.id) return own.version;
  const other = templateOf(own);
  return `other:${other.id}:${other.version}`;
}

function instanceSpec(instance: Instance, group: Group, start: Millis): SimInstanceSpec {
  const version = versionOf(instance, group);
  return {
    id: instance.id,
    // EC2 did not say when it was launched: the copy counts it as new, the soonest max-age could pick it.
    age: instance.launchedAt === undefined ? 0 : Math.max(0, start - instance.launchedAt),
    tags: instance.tags,
    protectedFromScaleIn: instance.protectedFromScaleIn,
    ...(version === undefined ? {} : { launchTemplateVersion: version }),
  };
}

/** The simulator's groups for the real ones, ages counted at `start`. */
export function fleetSpecs(groups: readonly Group[], start: Millis): SimGroupSpec[] {
  return groups.map((group) => ({
    name: group.name,
    desired: group.desired,
    min: group.min,
    max: group.max,
    tags: group.tags,
    launchTemplate: templateOf(group.launchSource),
    instances: group.instances.filter((instance) => STARTING_STATES.has(instance.lifecycleState)).map((instance) => instanceSpec(instance, group, start)),
    suspendedProcesses: group.suspendedProcesses,
  }));
}

/** The ledger the simulation starts with: the replacements still open and the recent ones budgets count, each once. */
export function ledgerSeed(open: readonly ReplacementRecord[], recent: readonly ReplacementRecord[]): ReplacementRecord[] {
  const byId = new Map<string, ReplacementRecord>();
  for (const record of [...recent, ...open]) byId.set(record.id, record);
  return [...byId.values()];
}
