import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, TraceFlags, trace, type Context, type SpanContext } from '@opentelemetry/api';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) carried as the `traceparent` gRPC
 * metadata / HTTP header. Contexts are @opentelemetry/api SpanContexts, so an OpenTelemetry SDK
 * registered by an operator sees the mesh's spans as children of the caller's.
 */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function newTraceId(): string {
  return randomBytes(16).toString('hex');
}

export function newSpanId(): string {
  return randomBytes(8).toString('hex');
}

/** Parses a `traceparent` value; undefined when absent or malformed (a new trace then starts). */
export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  if (value === undefined) return undefined;
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  if (m === null) return undefined;
  const [, traceId, spanId, flags] = m as unknown as [string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16), isRemote: true };
}

export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The caller's span context, or a fresh sampled root when there is none. */
export function continueOrStartTrace(traceparent: string | undefined): SpanContext {
  return parseTraceparent(traceparent) ?? { traceId: newTraceId(), spanId: newSpanId(), traceFlags: TraceFlags.SAMPLED };
}

/** A child span context for an outgoing call: same trace, new span id. */
export function childSpanContext(parent: SpanContext): SpanContext {
  return { traceId: parent.traceId, spanId: newSpanId(), traceFlags: parent.traceFlags };
}

/** An OpenTelemetry Context holding `sc`, for code that uses the OTel API directly. */
export function contextWithSpan(sc: SpanContext, base: Context = ROOT_CONTEXT): Context {
  return trace.setSpanContext(base, sc);
}
