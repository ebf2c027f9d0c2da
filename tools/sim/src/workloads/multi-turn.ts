import { Rng } from '../rng.js';
import { BlockChainBuilder, randomTokens, tokenArray, type SimRequest, type Workload, type WorkloadOptions } from './types.js';

interface Turn {
  readonly user: number[];
  /** The answer as it re-enters the next prompt (synthetic: the chat template re-tokenises it). */
  readonly answer: number[];
}

interface Conversation {
  readonly tenantId: string;
  readonly turns: Turn[];
  readonly history: BlockChainBuilder;
  next: number;
}

/**
 * Multi-turn chats, closed loop: conversations start as a Poisson process at `rate / 6` per
 * second (6 turns on average, 2..10), and each next turn is sent a think time (exponential, mean
 * 5 s) after the previous answer finished. Turn k's prompt is the whole conversation so far
 * (one of 4 shared 1K-token system prompts, then every user message and answer) plus the new
 * user message, so the worker that served turn k-1 already caches almost all of turn k.
 */
export function multiTurnWorkload(o: WorkloadOptions): Workload {
  const byRequest = new Map<number, Conversation>();
  const rng = new Rng(o.seed);
  let nextId = 0;
  const request = (conv: Conversation, arrivalMs: number): SimRequest => {
    const turn = conv.turns[conv.next]!;
    conv.history.append(turn.user);
    const req: SimRequest = {
      id: nextId++,
      arrivalMs,
      tenantId: conv.tenantId,
      promptTokens: copyTokens(conv.history.tokens),
      blockHashes: conv.history.keys.slice(),
      lastBlockDigest: conv.history.lastDigest,
      maxTokens: turn.answer.length,
    };
    byRequest.set(req.id, conv);
    return req;
  };
  // The shared system prompts draw from their own generators, so they can be hashed ahead of the run.
  let systems: BlockChainBuilder[] | undefined;
  const systemPrompts = (): BlockChainBuilder[] => (systems ??= [0, 1, 2, 3].map((s) => new BlockChainBuilder().append(randomTokens(new Rng(o.seed * 31 + s + 1), 1024))));
  return {
    name: 'multi-turn',
    // Conversations draw from the generator that think times use, in an order the run decides:
    // only the system prompts can be prepared without changing the run.
    prepare: () => void systemPrompts(),
    *arrivals() {
      const systems = systemPrompts();
      let budget = o.requests;
      let t = 0;
      for (let c = 0; budget > 0; c++) {
        t += rng.exp((1000 * 6) / o.rate);
        const n = Math.min(budget, rng.int(2, 10));
        budget -= n;
        const turns: Turn[] = [];
        for (let k = 0; k < n; k++) turns.push({ user: randomTokens(rng, rng.int(32, 512)), answer: randomTokens(rng, rng.int(64, 384)) });
        const conv: Conversation = { tenantId: `t-${c % 8}`, turns, history: BlockChainBuilder.from(systems[c % 4]!), next: 0 };
        yield request(conv, t);
      }
    },
    onFinished: (done, atMs) => {
      const conv = byRequest.get(done.id);
      byRequest.delete(done.id);
      if (conv === undefined) return undefined;
      conv.history.append(conv.turns[conv.next]!.answer);
      conv.next++;
      if (conv.next >= conv.turns.length) return undefined;
      return request(conv, atMs + rng.exp(5000));
    },
  };
}

function copyTokens(tokens: readonly number[]): Uint32Array {
  const out = tokenArray(tokens.length);
  out.set(tokens);
  return out;
}
