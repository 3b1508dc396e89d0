import type { SimulationOptions, SimulationResult } from '../../sim/simulate.js';
import { DEFAULT_SIMULATION, SCENARIOS, simulate } from '../../sim/simulate.js';
import { DAY, WEEK } from '../core/model.js';
import type { WeeklyReport } from '../core/report/schema.js';
import { countSkips, summarizeTick } from '../core/report/tick-summary.js';
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

/** The last simulated week (the whole run when shorter), with the week before it for the change. */
function simulationReport(result: SimulationResult, options: SimulationOptions): WeeklyReport {
  const weekEnd = options.start + options.days * DAY;
  const weekStart = Math.max(options.start, weekEnd - WEEK);
  const summaries = result.ticks.map((tick) => summarizeTick(tick.at, tick.block, tick.decisions));
  return weeklyReport({
    weekStart,
    weekEnd,
    records: result.records,
    groups: result.groupsAtEnd,
    skips: countSkips(summaries, weekStart, weekEnd),
    now: weekEnd,
  });
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
    groups: integerOption({ name: 'groups', value: values['groups'], fallback: DEFAULT_SIMULATION.groups, min: 1, max: 10_000 }),
    size: integerOption({ name: 'size', value: values['size'], fallback: DEFAULT_SIMULATION.size, min: 1, max: 1_000 }),
    days: integerOption({ name: 'days', value: values['days'], fallback: DEFAULT_SIMULATION.days, min: 1, max: 90 }),
    seed: integerOption({ name: 'seed', value: values['seed'], fallback: DEFAULT_SIMULATION.seed, min: 0, max: 2 ** 32 - 1 }),
    scenario: choiceOption({ name: 'scenario', value: values['scenario'], fallback: DEFAULT_SIMULATION.scenario, choices: SCENARIOS }),
  };
  const report =
    values['report'] === undefined ? undefined : choiceOption({ name: 'report', value: values['report'], fallback: 'md', choices: REPORT_FORMATS });
  if (report !== undefined && values['json'] === true) throw new UsageError('--report and --json: expected one of them, not both');
  const result = await simulate(options);
  if (report !== undefined) output.stdout(renderReport(simulationReport(result, options), report));
  else output.stdout(values['json'] === true ? JSON.stringify(result.summary, null, 2) : formatSimulation(result));
}
