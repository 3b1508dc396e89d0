import { TagValueError } from '../errors.js';
import type { Millis } from '../model.js';
import { DAY, HOUR, MINUTE, WEEK } from '../model.js';
import { parseDuration } from './duration.js';
import type { Budget, GroupMode, GroupPolicy, SnoozeTag, TimeWindow } from './policy.js';
import { MAX_SURGE_ON, TAG } from './policy.js';
import { parseSnoozeUntil, SNOOZE_EXPECTED } from './snooze.js';
import { parseWindow } from './window.js';

/**
 * What the account allows any group to ask for, whatever its tags say: tagging a group is a permission to
 * terminate there, so a platform team caps the rate and keeps a floor under min-healthy.
 */
export interface AccountLimits {
  /** The highest budget rate a group may set (or get by default); undefined is no ceiling beyond the tag's own bounds. */
  readonly maxBudget: Budget | undefined;
  /** The lowest min-healthy percent a group may set. */
  readonly minHealthyFloor: number;
  /** The most snoozes a group may take in any rolling week (`phoenix:snooze-until`). */
  readonly maxSnoozesPerWeek: number;
}

export const DEFAULT_MAX_SNOOZES_PER_WEEK = 3;
export const NO_ACCOUNT_LIMITS: AccountLimits = Object.freeze({ maxBudget: undefined, minHealthyFloor: 0, maxSnoozesPerWeek: DEFAULT_MAX_SNOOZES_PER_WEEK });

export type PolicyResult = { readonly ok: true; readonly policy: GroupPolicy } | { readonly ok: false; readonly errors: readonly TagValueError[] };

const DEFAULT_BUDGET: Budget = Object.freeze({ count: 1, period: HOUR, text: '1/hour' });
const DEFAULT_MIN_HEALTHY = 100;
export const DEFAULT_RECOVERY_TIMEOUT = 20 * MINUTE;
const DEFAULT_TAINT_GRACE = HOUR;
/** Quarantine is the tag's presence; an empty value still quarantines rather than being ignored. */
const QUARANTINE_WITHOUT_REASON = 'no reason given';

const DISABLED: GroupPolicy = Object.freeze({
  mode: 'disabled',
  maxAge: undefined,
  chaosMeanInterval: undefined,
  budget: DEFAULT_BUDGET,
  minHealthyPercent: DEFAULT_MIN_HEALTHY,
  window: undefined,
  recoveryTimeout: DEFAULT_RECOVERY_TIMEOUT,
  taintGrace: DEFAULT_TAINT_GRACE,
  quarantine: undefined,
  canary: false,
  maxSurge: false,
  snooze: undefined,
});

const GROUP_TAGS: readonly string[] = [
  TAG.enabled,
  TAG.maxAge,
  TAG.chaos,
  TAG.budget,
  TAG.minHealthy,
  TAG.window,
  TAG.recoveryTimeout,
  TAG.taintGrace,
  TAG.quarantined,
  TAG.canary,
  TAG.selftest,
  TAG.maxSurge,
  TAG.snoozeUntil,
];
const INSTANCE_TAGS: readonly string[] = [TAG.exempt, TAG.tainted, TAG.recycleRequested];
// Case-insensitive so that Phoenix:Max-Age is reported as a typo instead of being ignored.
const PHOENIX_KEY = /^phoenix:/i;

// A Map, not an object literal: a value such as `constructor` must not find an inherited property.
const MODES: ReadonlyMap<string, GroupMode> = new Map([
  ['true', 'live'],
  ['dry-run', 'dry-run'],
  ['false', 'disabled'],
]);
const PERIODS: ReadonlyMap<string, Millis> = new Map([
  ['hour', HOUR],
  ['day', DAY],
  ['week', WEEK],
]);
const BUDGET = /^(0|[1-9]\d*)\/(hour|day|week)$/;
const BUDGET_MAX = 1000;
const PERCENT = /^(0|[1-9]\d*)%?$/;
const MEMO_LIMIT = 1000;

const EXPECTED = {
  enabled: 'true, dry-run or false',
  maxAge: 'a duration such as 90m, 36h, 7d or 2w, from 1h to 365d',
  chaos: 'off, or a duration such as 90m, 36h, 7d or 2w, from 1h to 365d',
  budget: `N/hour, N/day or N/week with N a whole number from 1 to ${BUDGET_MAX}, such as 2/day`,
  minHealthy: 'a whole percent from 0 to 100, such as 100 or 90%',
  recoveryTimeout: 'a duration such as 10m, 30m or 2h, from 1m to 24h',
  taintGrace: 'a duration such as 0m, 30m, 1h or 1d, from 0m to 7d',
  canary: 'true or false',
  selftest: 'true, on a group phoenix selftest made (or no such tag)',
  maxSurge: `${MAX_SURGE_ON} (MaxSize raised by one for a replacement at max size), or no tag`,
} as const;

/** Parses one tag's exact value, or says what was expected instead. */
type Parser<T> = (value: string) => T | { readonly failed: string };

function failed(expected: string): { readonly failed: string } {
  return { failed: expected };
}

function isFailure<T>(result: T | { readonly failed: string }): result is { readonly failed: string } {
  return typeof result === 'object' && result !== null && 'failed' in result;
}

/**
 * Tag values repeat across thousands of groups (`7d`, `2/day`), and each parse is pure:
 * remember recent answers so a plan costs lookups, bounded so odd values cannot grow it without limit.
 */
function memoized<T extends number | object>(parser: Parser<T>): Parser<T> {
  const answers = new Map<string, T | { readonly failed: string }>();
  return (value) => {
    const known = answers.get(value);
    if (known !== undefined) return known;
    const answer = parser(value);
    if (answers.size >= MEMO_LIMIT) answers.clear();
    answers.set(value, answer);
    return answer;
  };
}

function durationWithin(min: Millis, max: Millis, expected: string): Parser<Millis> {
  return memoized((value) => {
    const ms = parseDuration(value);
    return ms !== undefined && ms >= min && ms <= max ? ms : failed(expected);
  });
}

const parseMaxAge = durationWithin(HOUR, 365 * DAY, EXPECTED.maxAge);
const parseRecoveryTimeout = durationWithin(MINUTE, 24 * HOUR, EXPECTED.recoveryTimeout);
const parseTaintGrace = durationWithin(0, 7 * DAY, EXPECTED.taintGrace);

const parseChaos: Parser<Millis | undefined> = (value) => {
  if (value === 'off') return undefined;
  const ms = parseMaxAge(value);
  return isFailure(ms) ? failed(EXPECTED.chaos) : ms;
};

const parseBudget: Parser<Budget> = memoized((value) => {
  const [, digits, unit = ''] = BUDGET.exec(value) ?? [];
  const count = Number(digits);
  const period = PERIODS.get(unit);
  if (digits === undefined || period === undefined || count < 1 || count > BUDGET_MAX) return failed(EXPECTED.budget);
  return Object.freeze({ count, period, text: `${count}/${unit}` });
});

const parseMinHealthy: Parser<number> = memoized((value) => {
  const [, digits] = PERCENT.exec(value) ?? [];
  const percent = Number(digits);
  return digits !== undefined && percent <= 100 ? percent : failed(EXPECTED.minHealthy);
});

const BOOLEANS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
]);

const parseCanary: Parser<boolean> = (value) => BOOLEANS.get(value) ?? failed(EXPECTED.canary);
const parseMaxSurge: Parser<true> = (value) => (value === MAX_SURGE_ON ? true : failed(EXPECTED.maxSurge));
const parseSnoozeTag: Parser<SnoozeTag> = (value) => parseSnoozeUntil(value) ?? failed(SNOOZE_EXPECTED);

const parseWindowTag: Parser<TimeWindow> = (value) => {
  const result = parseWindow(value);
  return result.ok ? result.window : failed(result.expected);
};

function quarantineText(value: string): string {
  return value.trim() === '' ? QUARANTINE_WITHOUT_REASON : value.trim();
}

/** What a phoenix: key that is not a group tag should have been. */
function unknownKeyExpectation(key: string): string {
  if (INSTANCE_TAGS.includes(key)) return `no ${key} on the group: it is an instance tag, put it on the instances instead`;
  // Typos such as phoenix:max_age or Phoenix:Max-Age get the key they most likely meant.
  const normalized = key.toLowerCase().replace(/[_\s.]+/g, '-');
  const meant = GROUP_TAGS.find((known) => known === normalized);
  const hint = meant === undefined ? '' : ` (did you mean ${meant}?)`;
  return `one of the group tags ${GROUP_TAGS.join(', ')}${hint}`;
}

/** One tag's value, its fallback when absent, or (recording why) its fallback when malformed, for the caller to discard. */
function readTag<T>(tags: Readonly<Record<string, string>>, tag: string, parser: Parser<T>, fallback: T, errors: TagValueError[]): T {
  const raw = tags[tag];
  if (raw === undefined) return fallback;
  const trimmed = raw.trim();
  const result = parser(trimmed);
  if (!isFailure(result) && trimmed === raw) return result;
  errors.push(new TagValueError(tag, raw, isFailure(result) ? result.failed : unpadded(trimmed)));
  return fallback;
}

/**
 * Only exact values count: `"true "` must not opt a group in here while IAM's exact match and the
 * taint function refuse it. The padding is invisible in a console, so the error shows the exact value.
 */
function unpadded(trimmed: string): string {
  return `${JSON.stringify(trimmed)} exactly, with no spaces or line breaks around it`;
}

function perHour(budget: Budget): number {
  return (budget.count * HOUR) / budget.period;
}

function beyondAccountLimits(tags: Readonly<Record<string, string>>, budget: Budget, minHealthyPercent: number, limits: AccountLimits): TagValueError[] {
  const errors: TagValueError[] = [];
  const ceiling = limits.maxBudget;
  if (ceiling !== undefined && perHour(budget) > perHour(ceiling)) {
    const written = tags[TAG.budget];
    const what = written === undefined ? `no ${TAG.budget} tag, whose default ${budget.text} is above the account's ceiling` : 'a budget';
    errors.push(new TagValueError(TAG.budget, written ?? '', `${what} at most ${ceiling.text}, the account's ceiling (deploy parameter maxGroupBudget)`));
  }
  if (minHealthyPercent < limits.minHealthyFloor) {
    errors.push(
      new TagValueError(
        TAG.minHealthy,
        tags[TAG.minHealthy] ?? '',
        `at least ${limits.minHealthyFloor}, the account's floor (deploy parameter minHealthyFloor)`,
      ),
    );
  }
  return errors;
}

/** A budget as a deploy parameter writes it (`6/day`), or undefined when it does not parse. */
export function parseBudgetText(text: string): Budget | undefined {
  const result = parseBudget(text);
  return isFailure(result) ? undefined : result;
}

/** Distinct phoenix tag sets remembered per account limits; a fleet with more only parses more often. */
const POLICY_MEMO_LIMIT = 10_000;
const policies = new WeakMap<AccountLimits, Map<string, PolicyResult>>();

/**
 * A group's phoenix tags as a frozen policy, or every problem found. A present but malformed value never
 * falls back to its default: the group must be skipped with a reason instead of running on a guess.
 *
 * Whole tag sets repeat across groups as single values do (a team tags its groups alike), and the answer
 * depends only on the phoenix tags, in their order, and the limits: it is remembered under exactly those.
 */
export function parseGroupPolicy(tags: Readonly<Record<string, string>>, limits: AccountLimits = NO_ACCOUNT_LIMITS): PolicyResult {
  let key = '';
  for (const name of Object.keys(tags)) {
    if (!PHOENIX_KEY.test(name)) continue;
    const value = tags[name] ?? '';
    // Length-prefixed, so no name or value can run into the next: two different tag sets never share a key.
    key += `${name.length}:${name}${value.length}:${value}`;
  }
  let known = policies.get(limits);
  if (known === undefined) {
    known = new Map();
    policies.set(limits, known);
  }
  const remembered = known.get(key);
  if (remembered !== undefined) return remembered;
  const result = parsePolicy(tags, limits);
  if (known.size >= POLICY_MEMO_LIMIT) known.clear();
  known.set(key, result);
  return result;
}

function parsePolicy(tags: Readonly<Record<string, string>>, limits: AccountLimits): PolicyResult {
  const errors: TagValueError[] = [];
  const read = <T>(tag: string, parser: Parser<T>, fallback: T): T => readTag(tags, tag, parser, fallback, errors);

  const enabledRaw = tags[TAG.enabled];
  const mode = enabledRaw === undefined ? undefined : MODES.get(enabledRaw);
  if (mode === undefined) {
    const padded = enabledRaw !== undefined && MODES.has(enabledRaw.trim());
    const expected = enabledRaw === undefined ? `${EXPECTED.enabled} (the tag is absent)` : padded ? unpadded(enabledRaw.trim()) : EXPECTED.enabled;
    errors.push(new TagValueError(TAG.enabled, enabledRaw ?? '', expected));
  }

  // A disabled group is ignored, so its other tags may be half-written without blocking anything.
  if (mode === 'disabled') return { ok: true, policy: DISABLED };

  const maxAge = read(TAG.maxAge, parseMaxAge, undefined);
  const chaosMeanInterval = read(TAG.chaos, parseChaos, undefined);
  const budget = read(TAG.budget, parseBudget, DEFAULT_BUDGET);
  const minHealthyPercent = read(TAG.minHealthy, parseMinHealthy, DEFAULT_MIN_HEALTHY);
  const window = read(TAG.window, parseWindowTag, undefined);
  const recoveryTimeout = read(TAG.recoveryTimeout, parseRecoveryTimeout, DEFAULT_RECOVERY_TIMEOUT);
  const taintGrace = read(TAG.taintGrace, parseTaintGrace, DEFAULT_TAINT_GRACE);
  const canary = read(TAG.canary, parseCanary, false);
  const maxSurge = read<boolean>(TAG.maxSurge, parseMaxSurge, false);
  // Only its form is read here: whether it holds depends on the clock and the ledger (snooze.ts).
  const snooze = read(TAG.snoozeUntil, parseSnoozeTag, undefined);
  // Any value quarantines, padded or not: the tag's presence is the brake, its text only a note.
  const quarantineRaw = tags[TAG.quarantined];
  const quarantine = quarantineRaw === undefined ? undefined : quarantineText(quarantineRaw);
  // The mark changes no rule; only its exact value may let a self-test event name the group.
  const selftestRaw = tags[TAG.selftest];
  if (selftestRaw !== undefined && selftestRaw !== 'true') errors.push(new TagValueError(TAG.selftest, selftestRaw, EXPECTED.selftest));

  for (const key of Object.keys(tags)) {
    if (PHOENIX_KEY.test(key) && !GROUP_TAGS.includes(key)) {
      errors.push(new TagValueError(key, tags[key] ?? '', unknownKeyExpectation(key)));
    }
  }

  errors.push(...beyondAccountLimits(tags, budget, minHealthyPercent, limits));
  if (mode === undefined || errors.length > 0) return { ok: false, errors: Object.freeze(errors) };
  const policy: GroupPolicy = {
    mode,
    maxAge,
    chaosMeanInterval,
    budget,
    minHealthyPercent,
    window,
    recoveryTimeout,
    taintGrace,
    quarantine,
    canary,
    maxSurge,
    snooze,
  };
  return { ok: true, policy: Object.freeze(policy) };
}
