import type { Logger } from '../core/ports.js';
import type { FunctionName } from './account-settings.js';

/** One JSON object per line on stdout, as CloudWatch Logs Insights reads them. */
export function jsonLogger(write: (line: string) => void, base: Readonly<Record<string, unknown>> = {}): Logger {
  const emit = (level: string) => (message: string, fields: Readonly<Record<string, unknown>>) => {
    write(JSON.stringify({ level, message, ...base, ...fields }));
  };
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A deployed function's logger: every line names the function, for a search across all four. */
export function functionLogger(name: FunctionName): Logger {
  return jsonLogger((line) => process.stdout.write(`${line}\n`), { function: name });
}
