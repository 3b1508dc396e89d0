import type { RandomSource } from '../functions/core/decide/random.js';
import { seededRandom } from '../functions/core/decide/random.js';
import type { Millis } from '../functions/core/model.js';
import { DAY, HOUR, MINUTE } from '../functions/core/model.js';
import { TAG } from '../functions/core/policy/policy.js';
import { pick, shuffle } from './draws.js';
import type { SimGroupSpec } from './fleet.js';
import { livePolicy } from './live.js';
import type { ScriptEvent, ScriptOptions } from './script.js';
import { followWriters } from './snooze-trail.js';

/** Share of the live groups whose owners snooze them. */
const SNOOZING_SHARE = 0.4;
/** Between one snooze and the owner's next: about five a week per group, so some go past the weekly limit. */
const GAP = { min: 14 * HOUR, max: 40 * HOUR } as const;
/** How long a well-formed snooze asks for. */
const LENGTH = { min: HOUR, max: 23 * HOUR } as const;
/** How long a bad value stays before its owner fixes it (removes it). */
const BAD_LASTS = { min: HOUR, max: 4 * HOUR } as const;
const OFFSETS = [
  { text: 'Z', minutes: 0 },
  { text: '+01:00', minutes: 60 },
  { text: '-05:00', minutes: -300 },
  { text: '+05:30', minutes: 330 },
] as const;
/** Values as a person might mistype them: no offset, no T, a word, a time alone. */
const MALFORMED = ['tomorrow', '2026-12-02 18:00', '2026-12-02T18:00:00', '18:00', '24h'] as const;
const ENGINEER = 'arn:aws:sts::111122223333:assumed-role/engineer/oncall';
/** `phoenix recycle` on a random live group's random instance, snoozed or not. */
const REQUESTS_PER_DAY = 4;

/** An ISO time with the given offset, to the second, as an owner writes it. */
function isoWithOffset(at: Millis, offset: (typeof OFFSETS)[number]): string {
  const local = new Date(Math.floor(at / 1000) * 1000 + offset.minutes * MINUTE).toISOString().slice(0, 19);
  return `${local}${offset.text}`;
}

function between(random: RandomSource, min: Millis, max: Millis): Millis {
  return Math.round((min + random() * (max - min)) / 1000) * 1000;
}

type SnoozeValue = { readonly text: string; readonly lasts: Millis; readonly snoozes: Millis | undefined };

/** One owner's value: mostly a snooze of 1 to 23 hours; sometimes too long, long past, or malformed. */
function drawValue(random: RandomSource, at: Millis): SnoozeValue {
  const draw = random();
  const offset = pick(random, OFFSETS);
  if (draw < 0.7) {
    const length = between(random, LENGTH.min, LENGTH.max);
    // Removed some time after it ends, or left until the owner's next snooze overwrites it.
    return { text: isoWithOffset(at + length, offset), lasts: length + between(random, 0, 2 * HOUR), snoozes: length };
  }
  const lasts = between(random, BAD_LASTS.min, BAD_LASTS.max);
  if (draw < 0.8) return { text: isoWithOffset(at + between(random, 26 * HOUR, 3 * DAY), offset), lasts, snoozes: undefined };
  if (draw < 0.88) return { text: isoWithOffset(at - between(random, 2 * DAY, 5 * DAY), offset), lasts, snoozes: undefined };
  return { text: pick(random, MALFORMED), lasts, snoozes: undefined };
}

/**
 * Owners snooze about two live groups in five: every 14 to 40 hours a value, most of them snoozes of 1 to
 * 23 hours (so some groups go past the weekly limit), some more than a day ahead, long past or malformed.
 * An engineer touches an instance in one snooze in three, half an hour in, so a taint passes its grace while
 * the snooze holds. Four times a day someone asks for a random live instance to be replaced (`phoenix recycle`).
 * Who wrote each value, and CloudTrail's records of the writes, are in followWriters.
 */
export function snoozeScript(fleet: readonly SimGroupSpec[], options: ScriptOptions): ScriptEvent[] {
  const random = seededRandom(options.seed ^ 0x5e002e);
  const live = fleet.filter((spec) => livePolicy(spec.tags) !== undefined);
  if (live.length === 0) return [];
  const snoozing = shuffle(random, live).slice(0, Math.max(1, Math.round(live.length * SNOOZING_SHARE)));
  const end = options.start + options.days * DAY;
  const events: ScriptEvent[] = [];
  for (const spec of snoozing) {
    for (let at = options.start + between(random, 0, GAP.max); at < end; ) {
      const value = drawValue(random, at);
      events.push({ at, kind: 'set-tag', group: spec.name, key: TAG.snoozeUntil, value: value.text, lasts: value.lasts });
      if (value.snoozes !== undefined && value.snoozes > 2 * HOUR && random() < 1 / 3) {
        events.push({ at: at + 30 * MINUTE, kind: 'touch', group: spec.name, target: { pick: random() }, by: ENGINEER, via: 'ssm-session' });
      }
      // The next value only after this one is removed, so the removal never takes a newer value away.
      at += Math.max(value.lasts + MINUTE, between(random, GAP.min, GAP.max));
    }
  }
  for (let count = 0; count < REQUESTS_PER_DAY * options.days; count += 1) {
    const at = options.start + between(random, 0, options.days * DAY);
    events.push({ at, kind: 'request-recycle', group: pick(random, live).name, pick: random(), by: ENGINEER });
  }
  const writes = events.flatMap((event) => (event.kind === 'set-tag' ? [event] : []));
  const others = events.filter((event) => event.kind !== 'set-tag');
  // Stable: events at the same instant keep the order they were drawn in.
  return [...followWriters(writes, options.seed), ...others].sort((a, b) => a.at - b.at);
}
