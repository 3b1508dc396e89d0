import type { Millis } from '../model.js';
import { DAY, HOUR, MINUTE, WEEK } from '../model.js';

const UNITS: Readonly<Record<string, Millis>> = { m: MINUTE, h: HOUR, d: DAY, w: WEEK };

// Leading zeros are rejected (`07d`) so every accepted duration has one spelling.
const DURATION = /^(0|[1-9]\d*)([mhdw])$/;

/** `90m`, `36h`, `7d`, `2w` as milliseconds; undefined when the text is not such a duration. Bounds are the caller's. */
export function parseDuration(text: string): Millis | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const [, digits = '', unit = ''] = match;
  const ms = Number(digits) * (UNITS[unit] ?? Number.NaN);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

const PARTS: readonly (readonly [string, Millis])[] = [
  ['d', DAY],
  ['h', HOUR],
  ['m', MINUTE],
];

/** Compact form for reasons: the two largest non-zero units of d/h/m (`2d 3h`, `1h 5m`, `14d`, `0m`); seconds are truncated. */
export function formatDuration(ms: Millis): string {
  // A negative span (clock skew between sources) keeps its sign rather than reading as zero.
  const sign = ms < 0 ? '-' : '';
  let rest = Math.trunc(Math.abs(ms) / MINUTE) * MINUTE;
  const shown: string[] = [];
  for (const [unit, size] of PARTS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 && shown.length < 2) shown.push(`${count}${unit}`);
  }
  return shown.length === 0 ? '0m' : sign + shown.join(' ');
}
