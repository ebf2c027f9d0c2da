import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Fields that may carry user content or credentials. pino censors them wherever they appear at
 * these paths, as a second line of defence: code must not log them in the first place.
 */
export const REDACTED_PATHS = [
  'authorization',
  'apiKey',
  'api_key',
  'prompt',
  'messages',
  'text',
  'content',
  'completion',
  'headers.authorization',
  'req.headers.authorization',
  '*.authorization',
  '*.apiKey',
  '*.prompt',
  '*.messages',
  '*.text',
  '*.content',
];

export interface LoggerConfig {
  /** Service name, stamped on every line as `service`. */
  service: string;
  /** pino level; default `info`, or `silent` to discard. */
  level?: string;
  /** Destination stream (default stdout). Tests pass a buffer to inspect lines. */
  destination?: NodeJS.WritableStream;
}

/**
 * A structured JSON logger. Request-scoped loggers are children carrying `request_id` and
 * `trace_id` (see the rpc library's CallContext), so every line of a request can be joined.
 */
export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level ?? 'info',
    base: { service: config.service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return config.destination === undefined ? pino(options) : pino(options, config.destination as pino.DestinationStream);
}
