import type { GlobalMode, Millis, ReplacementRecord } from '../functions/core/model.js';
import type { SelftestRequest } from '../functions/core/selftest/request.js';
import type { TouchKind } from '../functions/core/taint/taint.js';
import type { Release } from './auto-scaling-state.js';
import type { FaultRates } from './fleet.js';

/** What a scenario does to the fleet over a run and how its ticks arrive: what the runner plays. */

/**
 * The instance a person opens a session on: an InService one chosen by a draw in [0, 1), the group's
 * oldest InService one, or the one the same person touched last (no touch if it is no longer InService).
 */
export type TouchTarget = { readonly pick: number } | 'oldest' | 'same';

/** Something the world does to the fleet during a run, at `at` on the virtual clock, before the tick at that time. */
export type ScriptEvent =
  | { readonly at: Millis; readonly kind: 'fail-launches'; readonly group: string }
  | { readonly at: Millis; readonly kind: 'set-desired'; readonly group: string; readonly desired: number }
  | { readonly at: Millis; readonly kind: 'set-faults'; readonly faults: FaultRates }
  | { readonly at: Millis; readonly kind: 'touch'; readonly group: string; readonly target: TouchTarget; readonly by: string; readonly via: TouchKind }
  | { readonly at: Millis; readonly kind: 'deploy'; readonly group: string; readonly version: string; readonly release?: Release }
  | { readonly at: Millis; readonly kind: 'set-mode'; readonly mode: GlobalMode }
  /**
   * A group's owner writes (or, with no value, removes) one of its tags; the group is named, or chosen by a
   * draw in [0, 1) among those with a surge in flight, or with a max size Phoenix raised (none, no change).
   * After `lasts`, if given, the tag gets back the value it had at the start.
   */
  | {
      readonly at: Millis;
      readonly kind: 'set-tag';
      readonly group: GroupChoice;
      readonly key: string;
      readonly value: string | undefined;
      readonly lasts?: Millis;
      /** Who wrote it, when the scenario follows its writers (CloudTrail's records of them). */
      readonly by?: string;
    }
  /** CloudTrail delivers its record of an API call to the verifier's rule (an EventBridge event, as AWS sends it). */
  | { readonly at: Millis; readonly kind: 'cloudtrail'; readonly record: Readonly<Record<string, unknown>> }
  /**
   * The owner of a group with a surge in flight (chosen by a draw in [0, 1) among those; none, no change)
   * sets a daily window that closes two minutes from now and stays closed for `closedFor`.
   */
  | { readonly at: Millis; readonly kind: 'close-window'; readonly pick: number; readonly closedFor: Millis }
  /** A person asks that an InService instance of the group, chosen by a draw in [0, 1), be replaced first (`phoenix recycle`). */
  | { readonly at: Millis; readonly kind: 'request-recycle'; readonly group: string; readonly pick: number; readonly by: string }
  /** An operator lifts every quarantine (`phoenix release`). */
  | { readonly at: Millis; readonly kind: 'release-quarantines' }
  /** A group's owner raises its max size by `by` (a stack update); chosen as for set-tag. */
  | { readonly at: Millis; readonly kind: 'set-max'; readonly group: GroupChoice; readonly by: number };

/** A group named, or drawn in [0, 1) among those with a surge in flight, or with a max size Phoenix raised. */
export type GroupChoice = string | { readonly surging: number } | { readonly raisedMax: number };

/** Where a taint probe aims: an instance of a group, drawn when the probe runs. */
export interface TaintProbeTarget {
  readonly group: string;
  /** The instance, by a draw in [0, 1) among the group's instances in any state. */
  readonly pick: number;
  /** Someone marked the instance phoenix:selftest=true first (a group's tags propagated, or by hand): the probe must still refuse it. */
  readonly marked: boolean;
}

/** One Lambda invocation: the recycler's tick, the verifier, or the recycler or the tainter invoked directly by `phoenix selftest`. */
export interface Invocation {
  readonly run: 'tick' | 'verify' | 'selftest' | 'taint-probe';
  /** How far its event's time is ahead of the scheduled time; a late delivery keeps the scheduled time. */
  readonly eventAhead: Millis;
  /** The verifier's groups; undefined is every group with a replacement open. */
  readonly groups?: readonly string[];
  /** It is killed (times out) after this many calls to the fleet, ledger and events, if it makes more. */
  readonly killAfter?: number;
  /** A self-test invocation's request: a recycle of one group, or an IAM probe. */
  readonly selftest?: SelftestRequest;
  /** A taint probe's target: the tainter is asked to tag that instance. */
  readonly taintProbe?: TaintProbeTarget;
}

/** Invocations that start at once, `lateBy` after their tick's scheduled time. */
export interface Delivery {
  readonly lateBy: Millis;
  readonly invocations: readonly Invocation[];
}

export interface ScenarioScript {
  /** In time order. */
  readonly events: readonly ScriptEvent[];
  /** Invocations of each scheduled tick that run at once, like overlapping Lambda invocations. */
  readonly invocationsPerTick: number;
  /** Scheduled ticks delivered otherwise, by scheduled time: these deliveries replace the usual ones. */
  readonly deliveries?: ReadonlyMap<Millis, readonly Delivery[]>;
  /** The longest Describe results lag a write; none when absent. */
  readonly describeLag?: Millis;
  /** What the ledger holds at the start (a real ledger's open and recent records), so budgets and replacements in flight carry on. */
  readonly ledger?: readonly ReplacementRecord[];
}

export interface ScriptOptions {
  readonly seed: number;
  readonly start: Millis;
  readonly days: number;
  /** The recycler's schedule, for scripts that change how its ticks are delivered; default 10 minutes. */
  readonly tickInterval?: Millis;
}
