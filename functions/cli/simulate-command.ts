import type { SimulationOptions } from '../../sim/simulate.js';
import { DEFAULT_SIMULATION, SCENARIOS, simulate } from '../../sim/simulate.js';
import type { SimulationResult } from '../../sim/summary.js';
import { DAY, WEEK } from '../core/model.js';
import type { WeeklyReport } from '../core/report/schema.js';
import { countSkips, summarizeTick } from '../core/report/tick-summary.js';
import { TREND_WEEKS } from '../core/report/trend.js';
import { weeklyReport } from '../core/report/weekly.js';
import { renderHtml } from '../report/html/page.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { choiceOption, integerOption, parseOptions } from './arguments.js';
import { UsageError } from './errors.js';
import type { Output } from './output.js';
import { formatSimulation } from './simulation-format.js';

export const REPORT_FORMATS = ['md', 'html', 'json'] as const;

export function renderReport(report: WeeklyReport, format: (typeof REPORT_FORMATS)[number]): string {
  return format === 'json' ? renderJson(report) : format === 'html' ? renderHtml(report) : renderMarkdown(report);
}

/**
 * The last simulated week (the whole run when shorter), with the week before it for the change. No region: the
 * simulated groups exist nowhere, and a console link would open an empty page or a real group of the same name.
 */
function simulationReport(result: SimulationResult, options: SimulationOptions): WeeklyReport {
  const weekEnd = options.start + options.days * DAY;
  const weekStart = Math.max(options.start, weekEnd - WEEK);
  const summaries = result.ticks.map((tick) => summarizeTick(tick.at, tick.block, tick.decisions));
  const ticksBetween = (from: number, to: number): number => summaries.filter((summary) => summary.at >= from && summary.at < to).length;
  // The run's whole weeks back from its end, each named by its first day: a simulated week need not be an ISO week.
  const whole = Math.min(TREND_WEEKS, Math.floor((weekEnd - options.start) / WEEK));
  const weeks = Array.from({ length: Math.max(1, whole) }, (_, index) => {
    const end = weekEnd - (Math.max(1, whole) - 1 - index) * WEEK;
    const start = Math.max(options.start, end - WEEK);
    return { week: new Date(start).toISOString().slice(0, 10), start, end };
  });
  return weeklyReport({
    weekStart,
    weekEnd,
    records: result.records,
    groups: result.groupsAtEnd,
    skips: countSkips(summaries, weekStart, weekEnd),
    ticks: { thisWeek: ticksBetween(weekStart, weekEnd), previousWeek: ticksBetween(weekStart - WEEK, weekStart) },
    trend: { weeks, ticks: summaries },
    tickInterval: options.tickInterval,
    now: weekEnd,
  });
}

/**
 * What the simulator is asked to hold: its cost grows with instances times days (a run keeps every
 * tick's decisions), and 10,000 groups of 1,000 once ran past a minute and 4 GB without a word.
 */
export const SIMULATION_BOUNDS = {
  groups: { min: 1, max: 10_000 },
  size: { min: 1, max: 1_000 },
  days: { min: 1, max: 90 },
  instances: 20_000,
  instanceDays: 50_000,
  /** Past this many instance-days a run takes more than a few seconds: it reports its progress on stderr. */
  progressFrom: 10_000,
} as const;

function checkSize(groups: number, size: number, days: number): void {
  const instances = groups * size;
  const { instances: most, instanceDays } = SIMULATION_BOUNDS;
  const asked = `--groups ${groups} --size ${size}`;
  if (instances > most) {
    throw new UsageError(
      `${asked}: ${instances.toLocaleString('en')} instances is too many to simulate: expected at most ${most.toLocaleString('en')} (groups times size)`,
    );
  }
  if (instances * days > instanceDays) {
    throw new UsageError(
      `${asked} --days ${days}: ${(instances * days).toLocaleString('en')} instance-days is too many to simulate: expected at most ${instanceDays.toLocaleString('en')} (groups times size times days)`,
    );
  }
}

/** One stderr line each tenth of the virtual time. */
function progressLines(days: number, stderr: (text: string) => void): (done: number, total: number) => void {
  let shown = 0;
  return (done, total) => {
    const tenth = Math.floor((done / total) * 10);
    if (tenth <= shown) return;
    shown = tenth;
    stderr(`simulate: ${tenth * 10}% (${((done / total) * days).toFixed(1)} of ${days} days)`);
  };
}

export async function simulateCommand(args: readonly string[], output: Output): Promise<void> {
  const values = parseOptions('simulate', args, {
    groups: { type: 'string' },
    size: { type: 'string' },
    days: { type: 'string' },
    seed: { type: 'string' },
    scenario: { type: 'string' },
    json: { type: 'boolean' },
    report: { type: 'string' },
  });
  const options = {
    ...DEFAULT_SIMULATION,
    groups: integerOption({ name: 'groups', value: values['groups'], fallback: DEFAULT_SIMULATION.groups, ...SIMULATION_BOUNDS.groups }),
    size: integerOption({ name: 'size', value: values['size'], fallback: DEFAULT_SIMULATION.size, ...SIMULATION_BOUNDS.size }),
    days: integerOption({ name: 'days', value: values['days'], fallback: DEFAULT_SIMULATION.days, ...SIMULATION_BOUNDS.days }),
    seed: integerOption({ name: 'seed', value: values['seed'], fallback: DEFAULT_SIMULATION.seed, min: 0, max: 2 ** 32 - 1 }),
    scenario: choiceOption({ name: 'scenario', value: values['scenario'], fallback: DEFAULT_SIMULATION.scenario, choices: SCENARIOS }),
  };
  const report =
    values['report'] === undefined ? undefined : choiceOption({ name: 'report', value: values['report'], fallback: 'md', choices: REPORT_FORMATS });
  if (report !== undefined && values['json'] === true) throw new UsageError('--report and --json: expected one of them, not both');
  checkSize(options.groups, options.size, options.days);
  const large = options.groups * options.size * options.days > SIMULATION_BOUNDS.progressFrom;
  const result = await simulate(options, large ? progressLines(options.days, output.stderr) : undefined);
  if (report !== undefined) output.stdout(renderReport(simulationReport(result, options), report));
  else output.stdout(values['json'] === true ? JSON.stringify(result.summary, null, 2) : formatSimulation(result));
}
