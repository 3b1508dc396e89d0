import type { RandomSource } from '../functions/core/decide/random.js';
import { seededRandom } from '../functions/core/decide/random.js';
import type { Millis } from '../functions/core/model.js';
import { DAY, MINUTE } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';
import type { SimGroupSpec } from './fleet.js';

/** A kind of group in the infeasible scenario: its tags, and how old its instances are at the start. */
interface Kind {
  readonly name: string;
  readonly maxAge: { readonly text: string; readonly ms: Millis };
  readonly tags: Readonly<Record<string, string>>;
  /** Each instance's age at the start as a share of max-age: drawn, or all the same for a fleet launched together. */
  readonly ageShare: (random: RandomSource) => number;
}

const spread = (random: RandomSource): number => random() * 0.9;

/**
 * Groups that keep up beside groups whose window and budget cannot: the deadline model's test bench. Two
 * kinds keep up (no window, and a long daily window); one keeps up on weekdays but not always over the
 * weekend its window skips (what the instances reaching max-age then need must all fit in Friday's last
 * hours); four never do: a narrow weekday window, a night window crossing midnight, a budget below what
 * max-age needs, and a fleet launched together that reaches max-age sooner than one replacement at a time
 * can retire it.
 */
const KINDS: readonly Kind[] = [
  { name: 'keeps-up', maxAge: { text: '7d', ms: 7 * DAY }, tags: { [TAG.budget]: '1/hour' }, ageShare: spread },
  {
    name: 'long-days',
    maxAge: { text: '7d', ms: 7 * DAY },
    tags: { [TAG.budget]: '1/hour', [TAG.window]: 'daily 06:00-22:00 UTC' },
    ageShare: spread,
  },
  {
    name: 'office-hours',
    maxAge: { text: '7d', ms: 7 * DAY },
    tags: { [TAG.budget]: '1/hour', [TAG.window]: 'Mon-Fri 08:00-18:00 Europe/Berlin' },
    ageShare: spread,
  },
  {
    name: 'narrow-window',
    maxAge: { text: '5d', ms: 5 * DAY },
    tags: { [TAG.budget]: '1/day', [TAG.window]: 'Tue,Thu 09:00-10:00 Europe/Berlin' },
    ageShare: spread,
  },
  {
    name: 'night-window',
    maxAge: { text: '3d', ms: 3 * DAY },
    tags: { [TAG.budget]: '2/hour', [TAG.window]: 'Fri-Sun 23:00-01:00 America/New_York' },
    ageShare: spread,
  },
  { name: 'thin-budget', maxAge: { text: '7d', ms: 7 * DAY }, tags: { [TAG.budget]: '1/day', [TAG.minHealthy]: '90' }, ageShare: spread },
  { name: 'launched-together', maxAge: { text: '7d', ms: 7 * DAY }, tags: { [TAG.budget]: '1/hour' }, ageShare: () => 0.9 },
];

export const INFEASIBLE_KINDS: readonly string[] = KINDS.map((kind) => kind.name);

/** The infeasible scenario's fleet: the kinds in turn, `size` instances each, ages drawn from the seed. */
export function infeasibleFleet(options: { readonly groups: number; readonly size: number; readonly seed: number; readonly start: Millis }): SimGroupSpec[] {
  const random = seededRandom(options.seed ^ 0x1f3a5b1e);
  return Array.from({ length: options.groups }, (_, index) => {
    const kind = KINDS[index % KINDS.length] as Kind;
    const instances = Array.from({ length: options.size }, () => {
      const launchedAt = Math.floor((options.start - kind.ageShare(random) * kind.maxAge.ms) / MINUTE) * MINUTE;
      return { age: options.start - launchedAt };
    });
    return {
      name: `${kind.name}-${String(index + 1).padStart(3, '0')}`,
      desired: options.size,
      min: Math.max(Math.min(1, options.size), Math.floor(options.size / 2)),
      max: options.size + Math.max(2, Math.ceil(options.size / 5)),
      tags: { [TAG.enabled]: 'true', [TAG.maxAge]: kind.maxAge.text, ...kind.tags },
      launchTemplate: { id: `lt-${(0x0b000 + index).toString(16).padStart(17, '0')}`, version: '1' },
      instances,
    };
  });
}
