import type { RandomSource } from '../functions/core/decide/random.js';
import { seededRandom } from '../functions/core/decide/random.js';
import type { Millis } from '../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';
import type { TouchKind } from '../functions/core/taint/taint.js';
import { pick, shuffle } from './draws.js';
import type { SimGroupSpec } from './fleet.js';
import { livePolicy } from './live.js';
import type { ScriptEvent, ScriptOptions, TouchTarget } from './script.js';

// Scenario `taint`: engineers reach instances by hand, one keeps returning to the same one, and a mid-week
// deploy makes some groups' instances stale.

const RANDOM_TOUCHES_PER_DAY = 5;
/** Share of the random touches aimed at groups without `phoenix:enabled=true`, which the taint function must leave untagged. */
const NOT_OPTED_IN_TOUCH_SHARE = 0.25;
/** A caller as CloudTrail names it, and so the taint function's `by`: an assumed role ending in the person's session name. */
function engineer(name: string): string {
  return `arn:aws:sts::111122223333:assumed-role/engineer/${name}`;
}
const ENGINEERS = ['alice', 'bob', 'carol', 'dave', 'erin'].map(engineer);
/** The engineer who keeps coming back to one instance; not among ENGINEERS, so their 'same' instance is only ever their own. */
const PERSISTENT_ENGINEER = engineer('frank');
const TOUCH_KINDS: readonly TouchKind[] = ['ssm-session', 'ssm-command', 'ec2-instance-connect'];
/** From Tuesday 09:00 UTC, for about four hours, a touch every 20 to 40 minutes. */
const SESSION_START = DAY + 9 * HOUR;
const SESSION_LENGTH = 4 * HOUR;
const SESSION_GAP = { min: 20 * MINUTE, max: 40 * MINUTE } as const;
/** Wednesday noon: a new launch template version for about one live group in five. */
export const DEPLOY_AT = 2 * DAY + 12 * HOUR;
const DEPLOY_SHARE = 0.2;

/** A whole second at or after `from`, before `from + span`, as CloudTrail times are. */
function secondWithin(random: RandomSource, from: Millis, span: Millis): Millis {
  return from + Math.floor((random() * span) / 1000) * 1000;
}

/**
 * The persistent engineer's group: live, no window, the shortest max-age. They work on its oldest
 * instance, the one max-age takes next, so only the grace they keep renewing holds it.
 */
function sessionGroup(fleet: readonly SimGroupSpec[], random: RandomSource): string | undefined {
  const candidates = fleet.flatMap((spec) => {
    const policy = livePolicy(spec.tags);
    return policy?.maxAge === undefined || policy.window !== undefined ? [] : [{ name: spec.name, maxAge: policy.maxAge }];
  });
  const shortest = Math.min(...candidates.map((candidate) => candidate.maxAge));
  const chosen = candidates.filter((candidate) => candidate.maxAge === shortest);
  return chosen.length === 0 ? undefined : pick(random, chosen).name;
}

/**
 * Groups that get a new launch template version: live, with no window and a budget of at least one
 * an hour, so the new version can roll through before the run ends.
 */
function deployGroups(fleet: readonly SimGroupSpec[], random: RandomSource): SimGroupSpec[] {
  const live = fleet.flatMap((spec) => {
    const policy = livePolicy(spec.tags);
    return policy === undefined ? [] : [{ spec, policy }];
  });
  const fast = live.filter(({ policy }) => policy.window === undefined && policy.budget.count / (policy.budget.period / HOUR) >= 1);
  return shuffle(random, fast)
    .slice(0, Math.max(1, Math.round(live.length * DEPLOY_SHARE)))
    .map(({ spec }) => spec);
}

/**
 * Engineers open sessions on a handful of random instances a day, in groups opted in and not; one of
 * them comes back to the same instance every 20 to 40 minutes for a few hours; mid-week a deploy makes
 * some groups' instances stale.
 */
export function taintScript(fleet: readonly SimGroupSpec[], options: ScriptOptions): ScriptEvent[] {
  const random = seededRandom(options.seed ^ 0x7a1e7ed);
  const optedIn = fleet.filter((spec) => spec.tags[TAG.enabled] === 'true');
  const others = fleet.filter((spec) => spec.tags[TAG.enabled] !== 'true');
  const events: ScriptEvent[] = [];
  for (let count = 0; count < RANDOM_TOUCHES_PER_DAY * options.days; count += 1) {
    const pool = others.length > 0 && (optedIn.length === 0 || random() < NOT_OPTED_IN_TOUCH_SHARE) ? others : optedIn;
    if (pool.length === 0) break;
    events.push({
      at: secondWithin(random, options.start, options.days * DAY),
      kind: 'touch',
      group: pick(random, pool).name,
      target: { pick: random() },
      by: pick(random, ENGINEERS),
      via: pick(random, TOUCH_KINDS),
    });
  }
  const session = sessionGroup(fleet, random);
  if (session !== undefined) {
    const via = pick(random, TOUCH_KINDS);
    const end = options.start + SESSION_START + SESSION_LENGTH;
    let target: TouchTarget = 'oldest';
    for (let at = options.start + SESSION_START; at < end; at = secondWithin(random, at + SESSION_GAP.min, SESSION_GAP.max - SESSION_GAP.min)) {
      events.push({ at, kind: 'touch', group: session, target, by: PERSISTENT_ENGINEER, via });
      target = 'same';
    }
  }
  for (const spec of deployGroups(fleet, random)) {
    events.push({ at: options.start + DEPLOY_AT, kind: 'deploy', group: spec.name, version: String(Number(spec.launchTemplate.version) + 1) });
  }
  // Stable: events at the same instant keep the order they were drawn in.
  return events.sort((a, b) => a.at - b.at);
}
