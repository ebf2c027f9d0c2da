import { common, inference } from '@infermesh/proto';
import { createClient } from '@infermesh/rpc';

export interface GenerateFlags {
  address: string;
  model: string;
  prompt: string;
  chat: boolean;
  maxTokens?: number;
  apiKey: string | undefined;
  json: boolean;
}

/**
 * `infermesh generate`: one streamed request to the public gRPC API. Text goes to stdout as it
 * arrives; usage and timings go to stderr (or everything as JSON lines with --json).
 */
export async function generateCommand(flags: GenerateFlags): Promise<void> {
  if (flags.apiKey === undefined || flags.apiKey === '') throw new Error('an API key is required: --api-key or INFERMESH_API_KEY');
  const client = createClient(inference.Inference, flags.address, { name: 'ingress' });
  const req = {
    model: flags.model,
    input: flags.chat ? { case: 'chat' as const, value: { messages: [{ role: 'user', content: flags.prompt }], addGenerationPrompt: true } } : { case: 'prompt' as const, value: flags.prompt },
    ...(flags.maxTokens === undefined ? {} : { maxTokens: flags.maxTokens }),
  };
  try {
    for await (const msg of client.generate(req, { headers: { authorization: `Bearer ${flags.apiKey}` }, timeoutMs: 600_000 })) {
      const ev = msg.event;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ [ev.case ?? 'unknown']: ev.value }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`);
        continue;
      }
      if (ev.case === 'chunk') process.stdout.write(ev.value.text);
      if (ev.case === 'final') {
        const u = ev.value.usage;
        const t = ev.value.timings;
        process.stdout.write('\n');
        process.stderr.write(
          `finish=${common.FinishReason[ev.value.finishReason]} worker=${ev.value.workerId} prompt_tokens=${u?.promptTokens} cached=${u?.cachedPromptTokens} completion_tokens=${u?.completionTokens} ttft_ms=${t?.timeToFirstTokenMs.toFixed(1)} itl_ms=${t?.interTokenLatencyMs.toFixed(2)}\n`,
        );
      }
    }
  } finally {
    client.close();
  }
}
