import type { EventDraft } from './event-log.js';

/** A usage draft for tests: real payload shape, no user text. (Named .spec.ts so it stays out of dist; it holds no tests.) */
export function usageDraft(i: number, tenantId = 'tenant-a'): EventDraft {
  return {
    tenantId,
    requestId: `req-${i}`,
    traceId: '0af7651916cd43dd8448eb211c80319c',
    payload: {
      case: 'usageRecorded',
      value: { model: 'qwen3-8b', usage: { promptTokens: 100 + i, cachedPromptTokens: i % 50, completionTokens: 20 }, workerId: 'w-1' },
    },
  };
}
