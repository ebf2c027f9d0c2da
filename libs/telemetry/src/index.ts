export { createLogger, REDACTED_PATHS, type Logger, type LoggerConfig } from './logger.js';
export {
  newTraceId,
  newSpanId,
  parseTraceparent,
  formatTraceparent,
  continueOrStartTrace,
  childSpanContext,
  contextWithSpan,
} from './trace.js';
export type { SpanContext } from '@opentelemetry/api';
