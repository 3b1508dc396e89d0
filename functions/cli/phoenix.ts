import { readFileSync } from 'node:fs';
import { asksForHelp } from './arguments.js';
import { UsageError } from './errors.js';
import { failureLine } from './failures.js';
import { forecastCommand } from './forecast-command.js';
import { historyCommand } from './history.js';
import type { Output } from './output.js';
import { planCommand } from './plan-command.js';
import { recycleCommand } from './recycle-command.js';
import { releaseCommand } from './release-command.js';
import { reportCommand } from './report-command.js';
import { connectSelftest } from './selftest/connect.js';
import { selftestCommand } from './selftest-command.js';
import { simulateCommand } from './simulate-command.js';
import { tagCommand } from './tag.js';
import { COMMAND_USAGE, type CommandName, isCommand, USAGE } from './usage.js';

/** The package's version: package.json sits two levels up from both this source and the bundle in dist/cli/. */
function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return `phoenix ${String(manifest.version)}`;
}

/** The value of `--name V` or `--name=V` among the arguments, for blaming a failure on it. */
function optionValue(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  if (index >= 0) return args[index + 1];
  return args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** Runs a command and returns its exit code: 0, or 1 when part of it failed (a tag write, a self-test check). */
async function run(command: CommandName, args: readonly string[], output: Output, now: number): Promise<number> {
  switch (command) {
    case 'plan':
      await planCommand(args, output, now);
      return 0;
    case 'forecast':
      await forecastCommand(args, output, now);
      return 0;
    case 'release':
      await releaseCommand(args, output, now);
      return 0;
    case 'recycle':
      await recycleCommand(args, output, now);
      return 0;
    case 'report':
      await reportCommand(args, output, now);
      return 0;
    case 'simulate':
      await simulateCommand(args, output);
      return 0;
    case 'history':
      await historyCommand(args, output, now);
      return 0;
    case 'tag':
      return tagCommand(args, output);
    case 'selftest':
      return selftestCommand(args, output, connectSelftest);
    case 'demo':
      if (args.length > 0) throw new UsageError(`phoenix demo takes no arguments (got ${args.join(' ')}); use phoenix simulate for options`);
      output.stderr('Running the recycler, verifier and simulator over one virtual week (scenario steady, seed 1)...');
      await simulateCommand([], output);
      return 0;
  }
}

/** `help`, `help CMD`, `--help`, `-h`, `--version`: what to print on stdout, or undefined for a command to run. */
function helpText(command: string, args: readonly string[]): string | undefined {
  if (command === '--version' || command === '-v') return version();
  if (command === '--help' || command === '-h') return USAGE;
  if (command === 'help') {
    const [topic] = args;
    if (topic === undefined) return USAGE;
    if (!isCommand(topic)) throw new UsageError(`phoenix help: unknown command "${topic}": expected one of ${Object.keys(COMMAND_USAGE).join(', ')}`);
    return COMMAND_USAGE[topic];
  }
  if (isCommand(command) && asksForHelp(args)) return COMMAND_USAGE[command];
  return undefined;
}

/** Runs one CLI invocation and returns its exit code; never calls process.exit itself (testable). */
export async function main(argv: readonly string[], output: Output, now: number): Promise<number> {
  // The SDK warns on every run under Node 20 about its releases after January 2027; this CLI pins
  // a release that supports Node 20, so the warning is noise in an operator's terminal.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const debug = argv.includes('--debug');
  const [command, ...args] = argv.filter((arg) => arg !== '--debug');
  if (command === undefined) {
    output.stderr(USAGE);
    return 2;
  }
  try {
    const help = helpText(command, args);
    if (help !== undefined) {
      output.stdout(help);
      return 0;
    }
    if (!isCommand(command)) throw new UsageError(`unknown command "${command}": expected one of ${Object.keys(COMMAND_USAGE).join(', ')} (phoenix --help)`);
    return await run(command, args, output, now);
  } catch (error) {
    if (error instanceof UsageError) {
      output.stderr(error.message);
      return 2;
    }
    const context = {
      profile: optionValue(args, 'profile') ?? process.env['AWS_PROFILE'],
      endpoint: optionValue(args, 'endpoint') ?? process.env['AWS_ENDPOINT_URL'],
    };
    output.stderr(`phoenix ${command}: ${failureLine(error, context)}`);
    if (debug && error instanceof Error && error.stack !== undefined) output.stderr(error.stack);
    return 1;
  }
}
