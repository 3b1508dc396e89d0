import type { Millis } from '../functions/core/model.js';
import { MINUTE } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';
import { formatRequest } from '../functions/core/policy/request.js';
import { pick } from './draws.js';
import type { SimFleet, SimGroupSpec } from './fleet.js';
import { TimeQueue } from './heap.js';
import type { GroupChoice, ScriptEvent } from './script.js';
import type { SimSettings } from './sim-settings.js';
import type { TouchLog } from './touches.js';

function clockTime(minuteOfDay: number): string {
  const minutes = ((minuteOfDay % 1440) + 1440) % 1440;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** A daily UTC window that is open at `at`, closes at the first whole minute two minutes later, and stays closed for `closedFor`. */
export function closingWindow(at: Millis, closedFor: Millis): string {
  const closes = Math.ceil((at + 2 * MINUTE) / MINUTE) % 1440;
  return `daily ${clockTime(closes + Math.round(closedFor / MINUTE))}-${clockTime(closes)} UTC`;
}

/** A tag someone wrote, as it happened. */
export interface TagWrite {
  readonly at: Millis;
  readonly group: string;
  readonly key: string;
  readonly value: string | undefined;
  readonly by: string;
}

/**
 * Everything outside Phoenix that acts during a run: scaling policies, engineers, deploys, owners
 * changing tags, an operator switching the account's mode. Plays a scenario's script in time order,
 * with the changes it undoes later queued as they happen.
 */
export class World {
  private readonly pending: TimeQueue<ScriptEvent>;
  private readonly original: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** The instances people asked to replace, in order. */
  private readonly requested: { readonly at: Millis; readonly instanceId: string }[] = [];
  /** Tag writes whose writer the script names, in order: what CloudTrail's records are judged against. */
  private readonly writes: TagWrite[] = [];
  /** CloudTrail records delivered and not yet handed to the verifier. */
  private records: Readonly<Record<string, unknown>>[] = [];
  /** Every CloudTrail record delivered, in order. */
  private readonly delivered: Readonly<Record<string, unknown>>[] = [];

  constructor(
    private readonly fleet: SimFleet,
    private readonly touches: TouchLog,
    private readonly mode: SimSettings,
    specs: readonly SimGroupSpec[],
    events: readonly ScriptEvent[],
  ) {
    this.pending = new TimeQueue(events);
    this.original = new Map(specs.map((spec) => [spec.name, spec.tags] as const));
  }

  recycleRequests(): readonly { readonly at: Millis; readonly instanceId: string }[] {
    return this.requested;
  }

  tagWrites(): readonly TagWrite[] {
    return this.writes;
  }

  cloudTrailDelivered(): readonly Readonly<Record<string, unknown>>[] {
    return this.delivered;
  }

  /** The CloudTrail records delivered since the last call, in delivery order. */
  drainCloudTrail(): readonly Readonly<Record<string, unknown>>[] {
    const delivered = this.records;
    this.records = [];
    return delivered;
  }

  /** When the next change is due, if any is left. */
  nextAt(): Millis | undefined {
    return this.pending.peek()?.at;
  }

  /** Makes the next change; the fleet's clock must be at its time. */
  applyNext(): void {
    const event = this.pending.pop();
    if (event !== undefined) this.apply(event);
  }

  private apply(event: ScriptEvent): void {
    const fleet = this.fleet;
    switch (event.kind) {
      case 'fail-launches':
        fleet.failLaunches(event.group, event.at);
        return;
      case 'set-desired':
        fleet.setDesiredExternally(event.group, event.desired);
        return;
      case 'set-faults':
        fleet.setFaults(event.faults);
        return;
      case 'touch':
        this.touches.apply(fleet, event);
        return;
      case 'deploy':
        fleet.setLaunchTemplateVersion(event.group, event.version, event.release);
        return;
      case 'set-mode':
        this.mode.setMode(event.mode);
        return;
      case 'set-tag': {
        const group = this.choose(event.group);
        if (group === undefined) return;
        fleet.setGroupTag(group, event.key, event.value);
        if (event.by !== undefined) this.writes.push({ at: event.at, group, key: event.key, value: event.value, by: event.by });
        if (event.lasts !== undefined) {
          this.pending.push({ at: event.at + event.lasts, kind: 'set-tag', group, key: event.key, value: this.original.get(group)?.[event.key] });
        }
        return;
      }
      case 'close-window': {
        const group = this.surging(event.pick);
        if (group !== undefined) fleet.setGroupTag(group, TAG.window, closingWindow(event.at, event.closedFor));
        return;
      }
      case 'set-max': {
        const group = this.choose(event.group);
        if (group !== undefined) fleet.setMaxExternally(group, fleet.view(group).max + event.by);
        return;
      }
      case 'request-recycle': {
        const inService = fleet.view(event.group).instances.filter((instance) => instance.lifecycleState === 'InService');
        const target = inService[Math.floor(event.pick * inService.length)];
        if (target === undefined) return;
        fleet.setInstanceTag(target.id, TAG.recycleRequested, formatRequest({ at: event.at, by: event.by }));
        this.requested.push({ at: event.at, instanceId: target.id });
        return;
      }
      case 'cloudtrail':
        this.records.push(event.record);
        this.delivered.push(event.record);
        return;
      case 'release-quarantines':
        for (const group of this.original.keys()) if (TAG.quarantined in fleet.view(group).tags) fleet.setGroupTag(group, TAG.quarantined, undefined);
        return;
    }
  }

  private choose(choice: GroupChoice): string | undefined {
    if (typeof choice === 'string') return choice;
    if ('surging' in choice) return this.surging(choice.surging);
    const raised = this.fleet.raisedMaxGroups();
    return raised.length === 0 ? undefined : pick(() => choice.raisedMax, raised);
  }

  /** A group with a surge in flight, chosen by a draw in [0, 1); undefined when there is none. */
  private surging(draw: number): string | undefined {
    const groups = this.fleet.surgingGroups();
    return groups.length === 0 ? undefined : pick(() => draw, groups);
  }
}
