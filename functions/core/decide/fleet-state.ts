import type { Group, Instance } from '../model.js';
import { GUARDED_PROCESSES } from '../model.js';
import { TAG } from '../policy/policy.js';

/**
 * Counts that several gates and the recovery check read. Standby instances do not count toward
 * desired capacity (Auto Scaling launches replacements for them), so they are neither serving nor
 * in transition. An unhealthy InService instance is about to be replaced by Auto Scaling.
 */
export interface CapacityView {
  readonly inServiceHealthy: number;
  readonly unhealthy: number;
  readonly inTransition: number;
}

export function capacityOf(group: Group): CapacityView {
  let inServiceHealthy = 0;
  let unhealthy = 0;
  let inTransition = 0;
  for (const instance of group.instances) {
    if (instance.lifecycleState === 'InService') {
      if (instance.healthy) inServiceHealthy += 1;
      else unhealthy += 1;
    } else if (instance.lifecycleState !== 'Standby') {
      inTransition += 1;
    }
  }
  return { inServiceHealthy, unhealthy, inTransition };
}

/** At desired capacity, all InService and Healthy, nothing launching, terminating or about to be replaced. */
export function isSettled(capacity: CapacityView, desired: number): boolean {
  return capacity.inServiceHealthy >= desired && capacity.unhealthy === 0 && capacity.inTransition === 0;
}

export function suspendedGuardedProcesses(group: Group): string[] {
  return GUARDED_PROCESSES.filter((process) => group.suspendedProcesses.includes(process));
}

/** Why an instance may never be picked, or undefined when it may. */
export type Ineligibility = 'exempt' | 'protected' | 'not-in-service' | 'unhealthy';

export function ineligibility(instance: Instance): Ineligibility | undefined {
  // Any exempt value but an explicit `false` protects the instance: a typo must not expose it.
  const exempt = instance.tags[TAG.exempt];
  if (exempt !== undefined && exempt.trim() !== 'false') return 'exempt';
  if (instance.protectedFromScaleIn) return 'protected';
  if (instance.lifecycleState !== 'InService') return 'not-in-service';
  if (!instance.healthy) return 'unhealthy';
  return undefined;
}

/** The smallest number of InService and Healthy instances `min-healthy` allows for a desired capacity. */
export function healthyFloor(desired: number, minHealthyPercent: number): number {
  return Math.ceil((desired * minHealthyPercent) / 100);
}
