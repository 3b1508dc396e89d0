import type { Instance, Millis } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';
import type { TouchKind } from '../functions/core/taint/taint.js';
import { formatTaint } from '../functions/core/taint/taint.js';
import { decideTaint } from '../functions/core/taint/touch.js';
import type { PhoenixCall, SimFleet } from './fleet.js';
import type { ScriptEvent } from './script.js';

export type TouchEvent = Extract<ScriptEvent, { kind: 'touch' }>;

/** A session or command that reached an instance. */
export interface AppliedTouch {
  readonly at: Millis;
  readonly group: string;
  readonly instanceId: string;
  readonly by: string;
  readonly via: TouchKind;
  /** Whether the taint function tagged the instance: it does only in groups with `phoenix:enabled=true`. */
  readonly tagged: boolean;
}

/** A tagged instance: its last touch and when Phoenix's termination of it took effect, if it did. */
export interface TouchedSimInstance {
  readonly group: string;
  readonly instanceId: string;
  readonly lastTouch: Millis;
  readonly terminatedAt: Millis | undefined;
}

function oldest(instances: readonly Instance[]): Instance | undefined {
  let found: Instance | undefined;
  for (const instance of instances) {
    if (found === undefined || (instance.launchedAt ?? Infinity) < (found.launchedAt ?? Infinity)) found = instance;
  }
  return found;
}

/**
 * Plays the engineers and the taint function: each touch lands on an InService instance, and the
 * taint function's own decision says whether it gets `phoenix:tainted` (only in an opted-in group),
 * a later touch overwriting the tag.
 */
export class TouchLog {
  private readonly log: AppliedTouch[] = [];
  /** Per person, the instance they touched last. */
  private readonly lastTouched = new Map<string, string>();

  apply(fleet: SimFleet, event: TouchEvent): void {
    const group = fleet.view(event.group);
    const inService = group.instances.filter((instance) => instance.lifecycleState === 'InService');
    const target =
      event.target === 'oldest'
        ? oldest(inService)
        : event.target === 'same'
          ? inService.find((instance) => instance.id === this.lastTouched.get(event.by))
          : inService[Math.floor(event.target.pick * inService.length)];
    // Nobody opens a session on an instance that is gone or going.
    if (target === undefined) return;
    this.lastTouched.set(event.by, target.id);
    const tagged = decideTaint(
      { kind: 'touch', instanceIds: [target.id], by: event.by, via: event.via, at: event.at, eventId: `sim-touch-${this.log.length}` },
      { id: target.id, group: event.group, groupTags: group.tags, tainted: target.tags[TAG.tainted] },
    ).act;
    if (tagged) fleet.setInstanceTag(target.id, TAG.tainted, formatTaint({ at: event.at, by: event.by, via: event.via }));
    this.log.push(Object.freeze({ at: event.at, group: event.group, instanceId: target.id, by: event.by, via: event.via, tagged }));
  }

  touches(): readonly AppliedTouch[] {
    return this.log;
  }
}

/** Every tagged instance, in order of first touch, with its termination from the simulator's own call log. */
export function touchedInstances(touches: readonly AppliedTouch[], calls: readonly PhoenixCall[]): TouchedSimInstance[] {
  const lastTouch = new Map<string, AppliedTouch>();
  for (const touch of touches) if (touch.tagged) lastTouch.set(touch.instanceId, touch);
  const terminatedAt = new Map<string, Millis>();
  for (const call of calls) {
    if (call.kind === 'terminate' && call.outcome === 'ok' && call.instanceId !== undefined) terminatedAt.set(call.instanceId, call.at);
  }
  return [...lastTouch.values()].map((touch) => ({
    group: touch.group,
    instanceId: touch.instanceId,
    lastTouch: touch.at,
    terminatedAt: terminatedAt.get(touch.instanceId),
  }));
}
