import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Logger } from '../core/ports.js';

export interface FunctionLoggerOptions {
  /** Which function writes: a key on every line, for a search across all four. */
  readonly role: string;
  /** The deployment's stage, a key on every line when known. */
  readonly stage: string | undefined;
}

/**
 * A function's Powertools logger: one JSON object a line, service `phoenix`, its role and stage on every
 * line, the Lambda context (request id, cold start, function name) once `injectLambdaContext` runs,
 * and the level from POWERTOOLS_LOG_LEVEL (or Lambda's own log level setting), INFO by default.
 */
export function functionLogger(options: FunctionLoggerOptions): PowertoolsLogger {
  return new PowertoolsLogger({
    serviceName: 'phoenix',
    persistentKeys: { function: options.role, ...(options.stage === undefined ? {} : { stage: options.stage }) },
  });
}

/** The Logger port over a Powertools logger: the decision's fields go beside the message, as keys of the line. */
export function loggerPort(logger: PowertoolsLogger): Logger {
  return {
    info: (message, fields) => logger.info(message, { ...fields }),
    warn: (message, fields) => logger.warn(message, { ...fields }),
    error: (message, fields) => logger.error(message, { ...fields }),
  };
}
