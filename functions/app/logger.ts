import type { Logger } from '../core/ports.js';

/** One JSON object per line on stdout, as CloudWatch Logs Insights reads them. */
export function jsonLogger(write: (line: string) => void, base: Readonly<Record<string, unknown>> = {}): Logger {
  const emit = (level: string) => (message: string, fields: Readonly<Record<string, unknown>>) => {
    write(JSON.stringify({ level, message, ...base, ...fields }));
  };
  return { info: emit('info'), warn: emit('warn'), error: emit('error') };
}
