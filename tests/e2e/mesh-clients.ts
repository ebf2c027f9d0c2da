import { FileEventLog } from '@infermesh/event-log';
import { billing, inference, scheduler, supervisor, tokenizer, type events } from '@infermesh/proto';
import { createClient, type Client } from '@infermesh/rpc';
import type { MeshProcess } from '@infermesh/testing';

/** Typed clients to every service of a running mesh, as its operators and users would hold them. */
export interface MeshClients {
  inference: Client<typeof inference.Inference>;
  tokenizer: Client<typeof tokenizer.Tokenizer>;
  billing: Client<typeof billing.Billing>;
  supervisor: Client<typeof supervisor.WorkerSupervisor>;
  scheduler: Client<typeof scheduler.Scheduler>;
  close(): void;
}

export function meshClients(mesh: Pick<MeshProcess, 'grpc' | 'addresses'>): MeshClients {
  const c = {
    inference: createClient(inference.Inference, mesh.grpc, { name: 'ingress', timeoutMs: 30_000 }),
    tokenizer: createClient(tokenizer.Tokenizer, mesh.addresses['tokenizer']!, { name: 'tokenizer' }),
    billing: createClient(billing.Billing, mesh.addresses['billing']!, { name: 'billing' }),
    supervisor: createClient(supervisor.WorkerSupervisor, mesh.addresses['worker-supervisor']!, { name: 'supervisor' }),
    scheduler: createClient(scheduler.Scheduler, mesh.addresses['scheduler']!, { name: 'scheduler' }),
  };
  return { ...c, close: () => Object.values(c).forEach((x) => x.close()) };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

export interface StreamResult {
  tokenIds: number[];
  text: string;
  final: inference.Final | undefined;
  headers: Record<string, string>;
  chunks: number;
}

/** Runs one streamed Generate and collects everything it returned. */
export async function generate(
  client: MeshClients['inference'],
  apiKey: string,
  req: Parameters<MeshClients['inference']['generate']>[0],
  onChunk?: (soFar: StreamResult) => void,
): Promise<StreamResult> {
  const out: StreamResult = { tokenIds: [], text: '', final: undefined, headers: {}, chunks: 0 };
  for await (const msg of client.generate(req, { headers: bearer(apiKey), timeoutMs: 60_000, onHeaders: (h) => (out.headers = h) })) {
    if (msg.event.case === 'chunk') {
      out.tokenIds.push(...msg.event.value.tokenIds);
      out.text += msg.event.value.text;
      out.chunks++;
      onChunk?.(out);
    }
    if (msg.event.case === 'final') out.final = msg.event.value;
  }
  return out;
}

/** Every envelope in the mesh's event log, read the way audit would (read-only). */
export async function readEvents(dir: string): Promise<events.Envelope[]> {
  const log = await FileEventLog.open(dir, { readOnly: true });
  try {
    const all: events.Envelope[] = [];
    for (let offset = log.startOffset(); ; ) {
      const batch = await log.read(offset, 10_000);
      if (batch.records.length === 0) return all;
      all.push(...batch.records.map((r) => r.envelope));
      offset = batch.nextOffset;
    }
  } finally {
    await log.close();
  }
}

export interface UsageSum {
  requests: number;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
}

/** Per-tenant sums of usage_recorded events. */
export function usageByTenant(envelopes: events.Envelope[]): Map<string, UsageSum> {
  const sums = new Map<string, UsageSum>();
  for (const e of envelopes) {
    if (e.payload.case !== 'usageRecorded') continue;
    const u = e.payload.value.usage!;
    const s = sums.get(e.tenantId) ?? { requests: 0, promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0 };
    s.requests++;
    s.promptTokens += u.promptTokens;
    s.cachedPromptTokens += u.cachedPromptTokens;
    s.completionTokens += u.completionTokens;
    sums.set(e.tenantId, s);
  }
  return sums;
}
