import type { SimulationOptions, SimulationResult } from '../../sim/simulate.js';
import { DEFAULT_SIMULATION, SCENARIOS, simulate } from '../../sim/simulate.js';
import { SETTINGS } from '../app/account-settings.js';
import { DAY, WEEK } from '../core/model.js';
import type { WeeklyReport } from '../core/report/schema.js';
import { countSkips, summarizeTick } from '../core/report/tick-summary.js';
import { weeklyReport } from '../core/report/weekly.js';
import { renderHtml } from '../report/html/page.js';
import { renderJson } from '../report/json.js';
import { renderMarkdown } from '../report/markdown.js';
import { choiceOption, integerOption, parseOptions } from './arguments.js';
import { UsageError } from './errors.js';
import { formatPlan, parseAt, planReport } from './plan.js';
import { awsReaders } from './readers.js';
import { releaseGroup } from './release.js';
import { ledgerReport, parseWeek } from './report.js';
import { formatSimulation } from './simulation-format.js';

const USAGE = `usage: phoenix <command> [options]

commands:
  plan [--at ISO] [--json] [--table NAME] [--tick-minutes N] [--region R] [--profile P] [--endpoint URL]
           what a tick would do now (or at --at) for every opted-in group and instance, and why;
           reads only, never terminates
  release GROUP [--json] [--region R] [--profile P] [--endpoint URL]
           lifts a quarantine (removes the phoenix:quarantined tag)
  report [--week 2026-W47] [--format md|html|json] [--time-zone ZONE] [--table NAME] [--region R] [--profile P] [--endpoint URL]
           renders a past week's recycle report from the ledger (default: the last complete week);
           --time-zone (default UTC) says whose Monday midnights bound the week
  simulate [--groups N] [--size M] [--days D] [--seed S] [--scenario NAME] [--json] [--report md|html|json]
           runs the real recycler on the fleet simulator over a virtual clock;
           --report prints the last simulated week's recycle report instead of the summary
  demo     a simulated week of the steady scenario, explained

exit codes: 0 success, 2 bad arguments, 1 anything else`;

interface Output {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

async function simulateCommand(command: string, args: readonly string[], output: Output): Promise<void> {
  const values = parseOptions(command, args, {
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
    groups: integerOption({ name: 'groups', value: values.groups, fallback: DEFAULT_SIMULATION.groups, min: 1, max: 10_000 }),
    size: integerOption({ name: 'size', value: values.size, fallback: DEFAULT_SIMULATION.size, min: 1, max: 1_000 }),
    days: integerOption({ name: 'days', value: values.days, fallback: DEFAULT_SIMULATION.days, min: 1, max: 90 }),
    seed: integerOption({ name: 'seed', value: values.seed, fallback: DEFAULT_SIMULATION.seed, min: 0, max: 2 ** 32 - 1 }),
    scenario: choiceOption({ name: 'scenario', value: values.scenario, fallback: DEFAULT_SIMULATION.scenario, choices: SCENARIOS }),
  };
  const report = values.report === undefined ? undefined : choiceOption({ name: 'report', value: values.report, fallback: 'md', choices: REPORT_FORMATS });
  if (report !== undefined && values.json === true) throw new UsageError('--report and --json: expected one of them, not both');
  const result = await simulate(options);
  if (report !== undefined) output.stdout(renderReport(simulationReport(result, options), report));
  else output.stdout(values.json === true ? JSON.stringify(result.summary, null, 2) : formatSimulation(result));
}

const REPORT_FORMATS = ['md', 'html', 'json'] as const;

function renderReport(report: WeeklyReport, format: (typeof REPORT_FORMATS)[number]): string {
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

const AWS_OPTIONS = {
  region: { type: 'string' },
  profile: { type: 'string' },
  endpoint: { type: 'string' },
} as const;

type OptionValues = Record<string, string | boolean | undefined>;

function textOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name}: expected a non-empty value`);
  return value;
}

/** --region, --profile and --endpoint, as every command that talks to AWS takes them. */
function awsOptions(values: OptionValues): { region?: string; endpoint?: string } {
  const endpoint = textOption(values, 'endpoint');
  if (endpoint !== undefined && !/^https?:\/\/[^\s]+$/.test(endpoint)) {
    throw new UsageError(`--endpoint: "${endpoint}" is not valid: expected a URL such as http://127.0.0.1:5000`);
  }
  const profile = textOption(values, 'profile');
  // The SDK's default credential chain reads the profile from the environment.
  if (profile !== undefined) process.env['AWS_PROFILE'] = profile;
  const region = textOption(values, 'region');
  return { ...(region === undefined ? {} : { region }), ...(endpoint === undefined ? {} : { endpoint }) };
}

/** The ledger table when neither --table nor the functions' own variable names one. */
const DEFAULT_LEDGER_TABLE = 'phoenix-ledger';

function ledgerTable(values: OptionValues): string {
  return textOption(values, 'table') ?? process.env[SETTINGS.ledgerTable.variable.name] ?? DEFAULT_LEDGER_TABLE;
}

async function planCommand(args: readonly string[], output: Output, now: number): Promise<void> {
  const values = parseOptions('plan', args, {
    at: { type: 'string' },
    json: { type: 'boolean' },
    table: { type: 'string' },
    'tick-minutes': { type: 'string' },
    ...AWS_OPTIONS,
  });
  const at = parseAt(values['at'], now);
  const aws = awsOptions(values);
  const table = ledgerTable(values);
  // The deployment's own bounds: a plan at a tick interval no stack can be deployed with would mislead.
  const { default: fallback, min, max } = SETTINGS.scheduleMinutes;
  const tickMinutes = integerOption({ name: 'tick-minutes', value: values['tick-minutes'], fallback, min, max });
  const report = await planReport(awsReaders({ aws, table, now: at }), { at, table, tickMinutes }, output.stderr);
  output.stdout(values['json'] === true ? JSON.stringify(report, null, 2) : formatPlan(report));
}

async function reportCommand(args: readonly string[], output: Output, now: number): Promise<void> {
  const values = parseOptions('report', args, {
    week: { type: 'string' },
    format: { type: 'string' },
    'time-zone': { type: 'string' },
    table: { type: 'string' },
    ...AWS_OPTIONS,
  });
  const timeZone = textOption(values, 'time-zone') ?? SETTINGS.reportTimeZone.default;
  const week = parseWeek(textOption(values, 'week'), timeZone, now);
  const format = choiceOption({ name: 'format', value: values['format'], fallback: 'md', choices: REPORT_FORMATS });
  const aws = awsOptions(values);
  const table = ledgerTable(values);
  const report = await ledgerReport(awsReaders({ aws, table, now }), { week, timeZone, table, now });
  output.stdout(renderReport(report, format));
}

async function releaseCommand(args: readonly string[], output: Output): Promise<void> {
  const [group, ...rest] = args;
  if (group === undefined || group.startsWith('--'))
    throw new UsageError('phoenix release: GROUP is missing: expected the name of a quarantined Auto Scaling group');
  const values = parseOptions('release', rest, { json: { type: 'boolean' }, ...AWS_OPTIONS });
  const result = await releaseGroup(group, awsOptions(values));
  if (values['json'] === true) output.stdout(JSON.stringify(result));
  else output.stdout(result.released ? `released ${group} (was quarantined: ${result.reason ?? ''})` : `${group} was not quarantined; nothing changed`);
}

/** Runs one CLI invocation and returns its exit code; never calls process.exit itself (testable). */
export async function main(argv: readonly string[], output: Output, now: number): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'plan':
        await planCommand(args, output, now);
        return 0;
      case 'release':
        await releaseCommand(args, output);
        return 0;
      case 'report':
        await reportCommand(args, output, now);
        return 0;
      case 'simulate':
        await simulateCommand(command, args, output);
        return 0;
      case 'demo':
        if (args.length > 0) throw new UsageError(`phoenix demo takes no arguments (got ${args.join(' ')}); use phoenix simulate for options`);
        output.stderr('Running the recycler, verifier and simulator over one virtual week (scenario steady, seed 1)...');
        await simulateCommand('simulate', [], output);
        return 0;
      case undefined:
      case '--help':
      case 'help':
        output.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}": expected plan, report, release, simulate or demo\n\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      output.stderr(error.message);
      return 2;
    }
    output.stderr(`phoenix ${command ?? ''}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}
