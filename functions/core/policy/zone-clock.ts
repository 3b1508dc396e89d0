import { TimeZoneError } from '../errors.js';
import type { Millis } from '../model.js';

/**
 * Wall clocks in IANA time zones through Intl (the runtime's tz data, no library), for the calendar of
 * the weekly report and the deadline model's window open time alike.
 */

/** One formatter per zone: constructing Intl.DateTimeFormat costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Reads wall clocks in the zone, via Intl (the runtime's tz data, no library). */
export function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  const known = formatters.get(timeZone);
  if (known !== undefined) return known;
  try {
    const created = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, created);
    return created;
  } catch (error) {
    if (error instanceof RangeError) throw new TimeZoneError(timeZone, { cause: error });
    throw error;
  }
}

/** The zone's wall clock at an instant, as the UTC instant showing the same digits (whole seconds). */
export function wallClock(formatter: Intl.DateTimeFormat, at: Millis): Millis {
  const part: Record<string, number> = {};
  for (const { type, value } of formatter.formatToParts(at)) part[type] = Number(value);
  return Date.UTC(part['year'] ?? 0, (part['month'] ?? 1) - 1, part['day'] ?? 1, (part['hour'] ?? 0) % 24, part['minute'] ?? 0, part['second'] ?? 0);
}

/** Offset of the zone's wall clock from UTC at an instant. */
export function zoneOffset(formatter: Intl.DateTimeFormat, at: Millis): Millis {
  return wallClock(formatter, at) - Math.floor(at / 1000) * 1000;
}
