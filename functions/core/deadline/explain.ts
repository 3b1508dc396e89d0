import type { Millis } from '../model.js';
import { DAY, HOUR } from '../model.js';
import { formatDuration } from '../policy/duration.js';
import type { Deadline, DeadlineInput, Rules, Setup } from './model.js';
import { setupOf, walk } from './model.js';

/** The tag's own bounds: a suggestion never asks for more than a tag may say. */
const MOST_BUDGET = 1000;
const LONGEST_MAX_AGE: Millis = 365 * DAY;

/** A group's prediction with, when it will breach, why and the single changes that would keep up. */
export interface DeadlineVerdict {
  readonly deadline: Deadline;
  /** Why it will breach, in the rules' own terms; undefined when feasible. */
  readonly why: string | undefined;
  /** Each a single tag change (`budget 3/day`, `max-age 21d`, `no window`) that makes it feasible. */
  readonly fixes: readonly string[];
}

const oneDecimal = (value: number): string => String(Math.round(value * 10) / 10);

/** A weekly count as a rate a person reads: per day from one a day, else per week. */
function rate(perWeek: number): { readonly value: string; readonly unit: 'day' | 'week' } {
  return perWeek >= 7 ? { value: oneDecimal(perWeek / 7), unit: 'day' } : { value: oneDecimal(perWeek), unit: 'week' };
}

/**
 * What sets the pace, in the tags' words: the budget when its spacing is longer than a replacement, else
 * replacements one at a time; and the window, if there is one.
 */
function limits(rules: Rules, deadline: Deadline, replacementTime: Millis): string {
  const { openPerWeek } = deadline.rate;
  const budgetBinds = rules.budget.period / rules.budget.count >= replacementTime;
  const pace = budgetBinds ? `budget ${rules.budget.text}` : `one replacement at a time (${formatDuration(replacementTime)} each)`;
  return rules.window === undefined ? pace : `window ${oneDecimal(openPerWeek / HOUR)}h/week with ${pace}`;
}

function whyBreach(deadline: Deadline, rules: Rules, setup: Setup): string {
  const { perWeek, needPerWeek, instances } = deadline.rate;
  const maxAge = formatDuration(rules.maxAge);
  const replacementTime = setup.replacementTime;
  const { now } = setup.input;
  if (deadline.firstBreachAt !== undefined && deadline.firstBreachAt <= now) {
    // Nothing done from now on can undo it: say how many are past, and when the rules let them go.
    const past = setup.launches.filter((launch) => launch.launchedAt + rules.maxAge < now).length;
    return `${past} of ${instances} ${past === 1 && instances === 1 ? 'instance is' : 'instances are'} past max-age ${maxAge} already`;
  }
  if (perWeek < needPerWeek) {
    const can = rate(perWeek);
    const need = rate(needPerWeek);
    return `${limits(rules, deadline, replacementTime)} retires ${can.value} of ${instances} instances a ${can.unit}; max-age ${maxAge} needs ${need.value}/${need.unit}`;
  }
  // The pace would do in the long run, but too many instances reach max-age too close together, or
  // while the window is closed.
  const { recycled, reachingMaxAge, windowClosed } = deadline.beforeBreach;
  const closed = windowClosed ? 'the window is closed then, and ' : '';
  const instancesText = reachingMaxAge === 1 ? 'instance' : 'instances';
  return `${closed}${limits(rules, deadline, replacementTime)} retires ${recycled} of the ${reachingMaxAge} ${instancesText} reaching max-age ${maxAge} by then`;
}

/**
 * The smallest value in [low, high] for which `works` holds, assuming once it holds it keeps holding;
 * undefined if `high` fails. Steps out from `low` in doubling strides first: the change that keeps up is
 * usually small, and each try walks two weeks of the group's rules.
 */
function smallest(low: number, high: number, works: (value: number) => boolean): number | undefined {
  if (low > high || !works(high)) return undefined;
  let a = low;
  let b = high;
  for (let stride = 1; a < b; stride *= 2) {
    const probe = Math.min(b, a + stride - 1);
    if (works(probe)) {
      b = probe;
      break;
    }
    a = probe + 1;
  }
  while (a < b) {
    const middle = Math.floor((a + b) / 2);
    if (works(middle)) b = middle;
    else a = middle + 1;
  }
  return a;
}

/** One change at a time, each the least that keeps up: more budget in the same period, no window, a longer max-age. */
function fixesFor(setup: Setup, rules: Rules): string[] {
  const fixes: string[] = [];
  const unit = rules.budget.text.split('/')[1] ?? 'hour';
  const count = smallest(rules.budget.count + 1, MOST_BUDGET, (value) => {
    const budget = { count: value, period: rules.budget.period, text: `${value}/${unit}` };
    return walk(setup, { ...rules, budget }).feasible;
  });
  if (count !== undefined) fixes.push(`budget ${count}/${unit}`);
  if (rules.window !== undefined && walk(setup, { ...rules, window: undefined }).feasible) fixes.push('no window');
  const step = rules.maxAge >= DAY ? DAY : HOUR;
  const steps = smallest(
    Math.floor(rules.maxAge / step) + 1,
    Math.floor(LONGEST_MAX_AGE / step),
    (value) => walk(setup, { ...rules, maxAge: value * step }).feasible,
  );
  if (steps !== undefined) fixes.push(`max-age ${formatDuration(steps * step)}`);
  return fixes;
}

/**
 * The deadline of a group with max-age, and for one that will breach, why and what would keep up.
 * `suggest` walks the rules again per candidate change: for a plan, not for a tick.
 */
export function explainDeadline(input: DeadlineInput, options: { readonly suggest: boolean }): DeadlineVerdict | undefined {
  const { maxAge, budget, window } = input.policy;
  if (maxAge === undefined) return undefined;
  const setup = setupOf(input);
  const rules: Rules = { maxAge, budget, window };
  const deadline = walk(setup, rules);
  if (deadline.feasible) return { deadline, why: undefined, fixes: [] };
  return { deadline, why: whyBreach(deadline, rules, setup), fixes: options.suggest ? fixesFor(setup, rules) : [] };
}
