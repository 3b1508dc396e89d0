import { parseArgs } from 'node:util';
import { UsageError } from './errors.js';

export type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

/** Parses strictly: an unknown or misspelled option is an error, never ignored. */
export function parseOptions(command: string, args: readonly string[], options: OptionSpec): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
    return values;
  } catch (error) {
    const known = Object.keys(options)
      .map((name) => `--${name}`)
      .join(', ');
    throw new UsageError(`phoenix ${command}: ${error instanceof Error ? error.message : String(error)} (known options: ${known})`, { cause: error });
  }
}

export function integerOption(options: {
  readonly name: string;
  readonly value: string | boolean | undefined;
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
  readonly value: string | boolean | undefined;
  readonly fallback: Choice;
  readonly choices: readonly Choice[];
}): Choice {
  const { name, value, fallback, choices } = options;
  if (value === undefined) return fallback;
  const match = choices.find((choice) => choice === value);
  if (match === undefined) throw new UsageError(`--${name}: "${String(value)}" is not valid: expected one of ${choices.join(', ')}`);
  return match;
}
