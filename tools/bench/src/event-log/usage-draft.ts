import type { EventDraft } from '@infermesh/event-log';

/** The benchmarks' event: a traced usage.recorded of request `i`, spread over 16 tenants. */
export function usageDraft(i: number): EventDraft {
  return {
    tenantId: `tenant-${i % 16}`,
    requestId: `req-${i}`,
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    payload: {
      case: 'usageRecorded',
      value: { model: 'llama-3.1-8b-instruct', usage: { promptTokens: 512, cachedPromptTokens: 256, completionTokens: 128 }, workerId: 'w0' },
    },
  };
}
