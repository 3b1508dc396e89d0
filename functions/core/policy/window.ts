import type { Millis } from '../model.js';
import type { TimeWindow } from './policy.js';

export type WindowResult = { readonly ok: true; readonly window: TimeWindow } | { readonly ok: false; readonly expected: string };

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const ISO_DAY: ReadonlyMap<string, number> = new Map(DAY_NAMES.map((name, index) => [name, index + 1]));
const MINUTES_PER_DAY = 1440;

const EXPECTED_FORMAT = 'a window "<days> <HH:MM>-<HH:MM> <IANA time zone>" such as Mon-Fri 09:00-17:00 Europe/Berlin';
const EXPECTED_DAYS = 'a day range such as Mon-Fri, Sat-Sun or Mon,Wed,Fri (days are Mon Tue Wed Thu Fri Sat Sun, or daily)';
const EXPECTED_TIMES = 'times HH:MM-HH:MM such as 09:00-17:00 (00:00 to 23:59; the end may be 24:00)';
const EXPECTED_ZONE = 'an IANA time zone such as Europe/Berlin or UTC';

const TIMES = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

/** One formatter per zone: constructing Intl.DateTimeFormat costs far more than using one. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | undefined {
  const cached = formatters.get(timeZone);
  if (cached !== undefined) return cached;
  try {
    const created = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, created);
    return created;
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

function parseDays(text: string): ReadonlySet<number> | string {
  if (text === 'daily') return new Set([1, 2, 3, 4, 5, 6, 7]);
  const days = new Set<number>();
  for (const item of text.split(',')) {
    const [from = '', to, extra] = item.split('-');
    const first = ISO_DAY.get(from);
    const last = to === undefined ? first : ISO_DAY.get(to);
    if (first === undefined || last === undefined || extra !== undefined) return `${EXPECTED_DAYS} (${JSON.stringify(item)} is not a day or day range)`;
    // Ranges walk forward and wrap past Sunday, so Fri-Mon is Fri, Sat, Sun, Mon.
    for (let day = first; ; day = (day % 7) + 1) {
      days.add(day);
      if (day === last) break;
    }
  }
  return days;
}

function parseTimes(text: string): { start: number; end: number } | string {
  const match = TIMES.exec(text);
  if (match === null) return EXPECTED_TIMES;
  const [startHour, startMinute, endHour, endMinute] = match.slice(1).map(Number) as [number, number, number, number];
  const end = endHour * 60 + endMinute;
  if (startHour > 23 || startMinute > 59 || endMinute > 59 || end > MINUTES_PER_DAY) return EXPECTED_TIMES;
  const start = startHour * 60 + startMinute;
  if (start === end) return 'times HH:MM-HH:MM with different start and end';
  return { start, end };
}

/** Windows are few and shared by many groups: parse each text once. Bounded so odd tags cannot grow it without limit. */
const parsed = new Map<string, WindowResult>();
const PARSED_LIMIT = 1000;

/** `Mon-Fri 09:00-17:00 Europe/Berlin`; on failure `expected` says which part is wrong and what it should be. */
export function parseWindow(text: string): WindowResult {
  const cached = parsed.get(text);
  if (cached !== undefined) return cached;
  const result = parseUncached(text);
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(text, result);
  return result;
}

function parseUncached(text: string): WindowResult {
  const parts = text.trim().split(/\s+/);
  const [daysText = '', timesText = '', zone] = parts;
  const missingZone = parts.length === 2 && timesText.includes(':');
  if (parts.length !== 3 && !missingZone) return { ok: false, expected: EXPECTED_FORMAT };
  const days = parseDays(daysText);
  const times = parseTimes(timesText);
  const problems: string[] = [];
  if (typeof days === 'string') problems.push(days);
  if (typeof times === 'string') problems.push(times);
  if (zone === undefined) problems.push('a time zone after the times, such as UTC or Europe/Berlin (there is no default zone)');
  else if (formatterFor(zone) === undefined) problems.push(`${EXPECTED_ZONE} (${JSON.stringify(zone)} is unknown)`);
  if (problems.length > 0 || typeof days === 'string' || typeof times === 'string' || zone === undefined) {
    return { ok: false, expected: problems.join('; ') };
  }
  const window: TimeWindow = Object.freeze({ days, startMinute: times.start, endMinute: times.end, timeZone: zone, text: parts.join(' ') });
  return { ok: true, window };
}

interface LocalTime {
  /** ISO weekday, 1 = Monday. */
  readonly weekday: number;
  readonly minute: number;
}

/**
 * Recent results per zone: a plan asks every group about the same one or two instants
 * (now, and when a replacement would end), so a few entries turn formatting into lookups.
 */
const recent = new Map<string, Map<Millis, LocalTime>>();
const RECENT_LIMIT = 16;

function localTime(timeZone: string, at: Millis): LocalTime {
  let memo = recent.get(timeZone);
  const hit = memo?.get(at);
  if (hit !== undefined) return hit;
  const formatter = formatterFor(timeZone);
  if (formatter === undefined) throw new RangeError(`unknown time zone ${JSON.stringify(timeZone)}`);
  let weekday = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatter.formatToParts(at)) {
    if (part.type === 'weekday') weekday = ISO_DAY.get(part.value) ?? 0;
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  const local: LocalTime = { weekday, minute: hour * 60 + minute };
  if (memo === undefined) {
    memo = new Map();
    recent.set(timeZone, memo);
  } else if (memo.size >= RECENT_LIMIT) {
    memo.clear();
  }
  memo.set(at, local);
  return local;
}

/** Whether terminations may happen at `at`, judged by the wall clock of the window's zone; no window is always open. */
export function isWindowOpen(window: TimeWindow | undefined, at: Millis): boolean {
  if (window === undefined) return true;
  const { weekday, minute } = localTime(window.timeZone, at);
  const { days, startMinute, endMinute } = window;
  if (startMinute < endMinute) return days.has(weekday) && minute >= startMinute && minute < endMinute;
  const previous = weekday === 1 ? 7 : weekday - 1;
  return (days.has(weekday) && minute >= startMinute) || (days.has(previous) && minute < endMinute);
}

/** Open time is counted in quarter hours: windows start and end on whole minutes, nearly always on these. */
const OPEN_STEP: Millis = 15 * 60_000;
/** Per window text, whether each quarter hour (by index since the epoch) is open; reused tick after tick. */
const quarterHours = new Map<string, Map<number, boolean>>();
const QUARTER_HOURS_LIMIT = 8192;

function quarterOpen(window: TimeWindow, index: number): boolean {
  let memo = quarterHours.get(window.text);
  if (memo === undefined) {
    memo = new Map();
    quarterHours.set(window.text, memo);
  }
  const known = memo.get(index);
  if (known !== undefined) return known;
  if (memo.size >= QUARTER_HOURS_LIMIT) memo.clear();
  const open = isWindowOpen(window, index * OPEN_STEP);
  memo.set(index, open);
  return open;
}

/**
 * How much window time lies between `from` and `to` (quarter-hour resolution): the time in which
 * terminations may actually happen. Without a window it is simply `to - from`.
 */
export function openTimeBetween(window: TimeWindow | undefined, from: Millis, to: Millis): Millis {
  if (to <= from) return 0;
  if (window === undefined) return to - from;
  let open = 0;
  for (let index = Math.floor(from / OPEN_STEP); index * OPEN_STEP < to; index += 1) {
    if (!quarterOpen(window, index)) continue;
    const start = Math.max(from, index * OPEN_STEP);
    const end = Math.min(to, (index + 1) * OPEN_STEP);
    open += end - start;
  }
  return open;
}
