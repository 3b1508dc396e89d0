import { seededRandom } from '../functions/core/decide/random.js';
import { DAY, HOUR, MINUTE } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';
import type { SelftestRequest } from '../functions/core/selftest/request.js';
import { pick } from './draws.js';
import type { SimGroupSpec } from './fleet.js';
import type { Delivery, Invocation, ScenarioScript, ScriptEvent, ScriptOptions } from './script.js';

/**
 * `phoenix selftest` run against the steady fleet, by someone who keeps pressing the button: every tick
 * the recycler is invoked twice more with self-test recycles, of the self-test group mostly (whose
 * instances someone touches every hour, taint grace 0m, so its first rule always has a pick), and of
 * the decoy and of any other group too, which must be refused. Its owner brakes the self-test group
 * every day: phoenix:enabled=false for two hours, then a quarantine for one. Through all of it the
 * referee must see no budget overrun, no dip below min-healthy, nothing outside opt-in or while braked.
 *
 * Every tick the tainter gets a taint probe too, aimed at an instance of the self-test group, of the decoy
 * or of any group, marked phoenix:selftest=true half the time as if the group's tags had propagated: each
 * is an instance of a group, so each must be refused and no phoenix:tainted may land on any of them.
 *
 * The recycler's IAM probe is left out: it asks for a change outside opt-in on purpose, which IAM
 * refuses in an account and the moto test judges with the role's policies, while the referee (which
 * does not model IAM) counts any such call.
 */

export const SELFTEST_SUBJECT_TAGS = { [TAG.selftest]: 'true', [TAG.taintGrace]: '0m' } as const;

/** The steady fleet with its first live group made the self-test's subject and its first group not opted in the decoy. */
export function selftestFleet(fleet: readonly SimGroupSpec[]): SimGroupSpec[] {
  const subject = fleet.find((spec) => spec.tags[TAG.enabled] === 'true' && spec.tags[TAG.window] === undefined);
  const decoy = fleet.find((spec) => spec.tags[TAG.enabled] === undefined);
  if (subject === undefined || decoy === undefined)
    throw new RangeError('selftest needs a live group without a window and a group not opted in; try more groups');
  return fleet.map((spec) => {
    if (spec === subject) return { ...spec, tags: { ...spec.tags, ...SELFTEST_SUBJECT_TAGS } };
    if (spec === decoy) return { ...spec, tags: { ...spec.tags, [TAG.selftest]: 'true' } };
    return spec;
  });
}

const SELFTESTS_PER_TICK = 2;
/** Of the self-test recycles: the subject's share, the decoy's, and any other group's for the rest. */
const SUBJECT_SHARE = 0.6;
const DECOY_SHARE = 0.2;

/** Of the taint probes: aimed at the subject's instances, the decoy's, and any group's for the rest. */
const PROBE_SUBJECT_SHARE = 0.4;
const PROBE_DECOY_SHARE = 0.3;

function recycle(group: string): Invocation {
  const request: SelftestRequest = { action: 'recycle', group };
  return { run: 'selftest', eventAhead: 0, selftest: request };
}

export function selftestScript(fleet: readonly SimGroupSpec[], options: ScriptOptions): ScenarioScript {
  const random = seededRandom(options.seed ^ 0x5e1f7e57);
  const subject = fleet.find((spec) => spec.tags[TAG.selftest] === 'true' && spec.tags[TAG.enabled] !== undefined);
  const decoy = fleet.find((spec) => spec.tags[TAG.selftest] === 'true' && spec.tags[TAG.enabled] === undefined);
  if (subject === undefined || decoy === undefined) throw new RangeError('selftest plays on the fleet selftestFleet made');
  const tickInterval = options.tickInterval ?? 10 * MINUTE;
  const end = options.start + options.days * DAY;
  const events: ScriptEvent[] = [];
  for (let at = options.start + 5 * MINUTE; at < end; at += HOUR) {
    events.push({ at, kind: 'touch', group: subject.name, target: { pick: random() }, by: 'phoenix selftest', via: 'ssm-session' });
  }
  for (let day = options.start; day < end; day += DAY) {
    events.push({ at: day + 12 * HOUR, kind: 'set-tag', group: subject.name, key: TAG.enabled, value: 'false', lasts: 2 * HOUR });
    events.push({ at: day + 18 * HOUR, kind: 'set-tag', group: subject.name, key: TAG.quarantined, value: 'selftest brake', lasts: HOUR });
  }
  const deliveries = new Map<number, readonly Delivery[]>();
  for (let at = options.start; at < end; at += tickInterval) {
    const selftests = Array.from({ length: SELFTESTS_PER_TICK }, (): Invocation => {
      const draw = random();
      if (draw < SUBJECT_SHARE) return recycle(subject.name);
      if (draw < SUBJECT_SHARE + DECOY_SHARE) return recycle(decoy.name);
      return recycle(pick(random, fleet).name);
    });
    const draw = random();
    const probed = draw < PROBE_SUBJECT_SHARE ? subject : draw < PROBE_SUBJECT_SHARE + PROBE_DECOY_SHARE ? decoy : pick(random, fleet);
    const probe: Invocation = { run: 'taint-probe', eventAhead: 0, taintProbe: { group: probed.name, pick: random(), marked: random() < 0.5 } };
    deliveries.set(at, [{ lateBy: 0, invocations: [{ run: 'tick', eventAhead: 0 }, ...selftests, probe] }]);
  }
  return { events: events.sort((a, b) => a.at - b.at), invocationsPerTick: 1, deliveries };
}
