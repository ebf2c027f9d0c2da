import { describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { events } from '@infermesh/proto';
import { projectLine, microsToIso, UNPRICED } from './ledger-line.js';
import { amountMicros, defaultPriceBook, PriceBook, type PriceBookEntry } from './price-book.js';

const book = new PriceBook(defaultPriceBook());
const price = (model: string): PriceBookEntry => book.priceAt(model, 1_700_000_000_000_000n)!;

describe('price book and rating', () => {
  it('holds the documented default rates in micro-USD per million tokens', () => {
    expect(defaultPriceBook().map((e) => [e.model, e.inputMicrosPerMtok, e.cachedInputMicrosPerMtok, e.outputMicrosPerMtok])).toEqual([
      ['llama-3.1-8b-instruct', 100_000n, 25_000n, 300_000n],
      ['qwen3-8b', 120_000n, 30_000n, 360_000n],
      ['gpt-oss-20b', 150_000n, 37_500n, 600_000n],
    ]);
  });

  it('rates a worked example: qwen3-8b, 1000 prompt (400 cached), 250 completion = 174 micro-USD', () => {
    // 600 * 0.12 + 400 * 0.03 + 250 * 0.36 = 72 + 12 + 90 = 174 micro-USD
    expect(amountMicros({ promptTokens: 1000, cachedPromptTokens: 400, completionTokens: 250 }, price('qwen3-8b'))).toBe(174n);
  });

  it('rounds half up once per line, on the sum', () => {
    const gpt = price('gpt-oss-20b');
    expect(amountMicros({ promptTokens: 10, cachedPromptTokens: 0, completionTokens: 0 }, gpt)).toBe(2n); // 1.5
    expect(amountMicros({ promptTokens: 3, cachedPromptTokens: 0, completionTokens: 0 }, gpt)).toBe(0n); // 0.45
    const llama = price('llama-3.1-8b-instruct');
    // rounding each class would give round(0.4) + round(0.3) = 0; once on the sum, round(0.7) = 1
    expect(amountMicros({ promptTokens: 4, cachedPromptTokens: 0, completionTokens: 1 }, llama)).toBe(1n);
    expect(amountMicros({ promptTokens: 1_000_000, cachedPromptTokens: 0, completionTokens: 1_000_000 }, llama)).toBe(400_000n);
  });

  it('never credits more cached tokens than prompt tokens', () => {
    expect(amountMicros({ promptTokens: 100, cachedPromptTokens: 500, completionTokens: 0 }, price('gpt-oss-20b')))
      .toBe(amountMicros({ promptTokens: 100, cachedPromptTokens: 100, completionTokens: 0 }, price('gpt-oss-20b')));
  });

  it('picks the entry in force at the time of use', () => {
    const v2: PriceBookEntry = { ...defaultPriceBook()[1]!, version: 'v2', effectiveFrom: new Date('2030-01-01T00:00:00Z'), inputMicrosPerMtok: 1n };
    const b = new PriceBook([...defaultPriceBook(), v2]);
    expect(b.priceAt('qwen3-8b', BigInt(Date.parse('2029-12-31T23:59:59Z')) * 1000n)?.version).toBe('default-1');
    expect(b.priceAt('qwen3-8b', BigInt(Date.parse('2030-01-01T00:00:00Z')) * 1000n)?.version).toBe('v2');
    expect(() => new PriceBook([...defaultPriceBook(), { ...v2, currency: 'EUR' }])).toThrow(/currency/);
  });
});

describe('projectLine', () => {
  const usage = (model: string) => create(events.EnvelopeSchema, {
    id: '01J0000000000000000000000A', tenantId: 't', requestId: 'r', time: timestampFromMs(5),
    payload: { case: 'usageRecorded', value: { model, usage: { promptTokens: 1000, cachedPromptTokens: 400, completionTokens: 250 }, acceptedAt: { seconds: 1_700_000_000n, nanos: 123_456_789 } } },
  });

  it('charges usage.recorded at accepted_at with microsecond precision', () => {
    expect(projectLine(usage('qwen3-8b'), book)).toEqual({
      eventId: '01J0000000000000000000000A', tenantId: 't', requestId: 'r', model: 'qwen3-8b', occurredAtMicros: 1_700_000_000_123_456n,
      promptTokens: 1000, cachedPromptTokens: 400, completionTokens: 250, amountMicros: 174n, currency: 'USD', priceBookVersion: 'default-1',
    });
    expect(microsToIso(1_700_000_000_123_456n)).toBe('2023-11-14T22:13:20.123456Z');
  });

  it('keeps an unpriced model visible at zero and ignores other event types', () => {
    expect(projectLine(usage('mystery-model'), book)).toMatchObject({ amountMicros: 0n, priceBookVersion: UNPRICED, promptTokens: 1000 });
    expect(projectLine(create(events.EnvelopeSchema, { payload: { case: 'requestQueued', value: {} } }), book)).toBeUndefined();
  });
});
