import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { childSpanContext, continueOrStartTrace, createLogger, formatTraceparent, parseTraceparent } from './index.js';

describe('logger', () => {
  it('writes structured lines and censors user content and credentials', async () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (b: Buffer) => lines.push(...b.toString().trim().split('\n')));
    const log = createLogger({ service: 'test', destination: out }).child({ request_id: 'r1', trace_id: 't1' });
    log.info({ prompt: 'my secret prompt', authorization: 'Bearer sk-123', tokens: 5 }, 'generated');
    await new Promise((r) => setImmediate(r));
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ service: 'test', request_id: 'r1', trace_id: 't1', tokens: 5, msg: 'generated', level: 'info' });
    expect(lines[0]).not.toContain('my secret prompt');
    expect(lines[0]).not.toContain('sk-123');
  });
});

describe('trace context', () => {
  it('round-trips a traceparent and rejects malformed or all-zero ids', () => {
    const v = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const sc = parseTraceparent(v)!;
    expect(sc.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(formatTraceparent(sc)).toBe(v);
    expect(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined();
    expect(parseTraceparent('garbage')).toBeUndefined();
  });

  it('continues a trace with a new span id, or starts one', () => {
    const parent = continueOrStartTrace(undefined);
    expect(parent.traceId).toMatch(/^[0-9a-f]{32}$/);
    const child = childSpanContext(parent);
    expect(child.traceId).toBe(parent.traceId);
    expect(child.spanId).not.toBe(parent.spanId);
  });
});
