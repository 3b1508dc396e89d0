import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** `-h` or `--help` anywhere among a command's arguments asks for its usage, whatever else is there. */
export function asksForHelp(args: readonly string[]): boolean {
  return args.some((arg) => arg === '-h' || arg === '--help');
}

/**
 * `--days -1` is `--days=-1`: parseArgs would call the value ambiguous in three lines, while the
 * option's own check names the option and the range in one.
 */
function joinNegativeValues(args: readonly string[], options: OptionSpec): string[] {
  const joined: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    const next = args[index + 1];
    if (arg.startsWith('--') && options[arg.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${arg}=${next}`);
      index++;
    } else joined.push(arg);
  }
  return joined;
}

function parseFailure(command: string, error: unknown, options: OptionSpec): UsageError {
  const known = Object.keys(options).map((name) => `--${name}`);
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const named = /'(-[^' ]*)/.exec(message)?.[1] ?? /'([^']*)'/.exec(message)?.[1] ?? '';
  const usage = `(phoenix ${command} --help)`;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const close = known.find((option) => option.startsWith(named) || named.startsWith(option));
      const hint = close === undefined ? '' : `did you mean ${close}? `;
      return new UsageError(`phoenix ${command}: unknown option ${named}: ${hint}expected one of ${known.join(', ')} ${usage}`, { cause: error });
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(`phoenix ${command}: ${named}: ${/argument missing/.test(message) ? 'a value is missing' : 'takes no value'} ${usage}`, {
        cause: error,
      });
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`phoenix ${command}: unexpected argument "${named}": expected options only ${usage}`, { cause: error });
    default:
      return new UsageError(`phoenix ${command}: ${message.split('\n')[0] ?? ''} ${usage}`, { cause: error });
  }
}

/** Parses strictly: an unknown or misspelled option is an error, never ignored. */
export function parseOptions(command: string, args: readonly string[], options: OptionSpec): OptionValues {
  try {
    const { values } = parseArgs({ args: joinNegativeValues(args, options), options, strict: true, allowPositionals: false });
    return values;
  } catch (error) {
    throw parseFailure(command, error, options);
  }
}

export function textOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name}: expected a non-empty value`);
  return value;
}

export function integerOption(options: {
  readonly name: string;
  readonly value: OptionValues[string];
  readonly fallback: number;
  readonly min: number;
  readonly max: number;
}): number {
  const { name, value, fallback, min, max } = options;
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name}: "${String(value)}" is not valid: expected a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

export function choiceOption<Choice extends string>(options: {
  readonly name: string;
  readonly value: OptionValues[string];
  readonly fallback: Choice;
  readonly choices: readonly Choice[];
}): Choice {
  const { name, value, fallback, choices } = options;
  if (value === undefined) return fallback;
  const match = choices.find((choice) => choice === value);
  if (match === undefined) throw new UsageError(`--${name}: "${String(value)}" is not valid: expected one of ${choices.join(', ')}`);
  return match;
}
