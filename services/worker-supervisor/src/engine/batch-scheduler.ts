import { BLOCK_SIZE, type BlockPool } from './block-pool.js';
import { Sequence } from './sequence.js';

/** Limits of one engine step. */
export interface BatchLimits {
  /** Most sequences running at once (vLLM's max_num_seqs). */
  maxNumSeqs: number;
  /** Most new tokens (prefill chunks plus decodes) computed in one step. */
  maxBatchedTokens: number;
}

/** One sequence's part of a step: compute `tokens` tokens after the `context` already computed. */
export interface ScheduledWork {
  seq: Sequence;
  context: number;
  tokens: number;
}

/**
 * What to run next; `started` lists sequences whose first prefill chunk is in this step. A plan
 * (and its entries) is reused by the next `schedule` call: use it before scheduling again.
 */
export interface StepPlan {
  work: ScheduledWork[];
  started: Sequence[];
}

/**
 * Iteration-level scheduling, after vLLM's v1 scheduler: each step first gives the running
 * sequences (oldest first) their decode token or next prefill chunk, then admits waiting
 * sequences first-come-first-served while sequences, token budget and KV blocks allow. Admission
 * reuses the longest cached prefix of full blocks. When a running sequence needs a block and none
 * can be had, the youngest running sequence is preempted by recompute: its blocks are released
 * (full ones stay cached, so recompute often hits them) and it goes back to the head of the queue.
 * No admission happens in a step that preempted.
 */
export class BatchScheduler {
  readonly waiting: Sequence[] = [];
  readonly running: Sequence[] = [];
  private readonly plan: StepPlan = { work: [], started: [] };
  /** Entries of `plan.work`, kept across steps so that a step allocates nothing for them. */
  private readonly entries: ScheduledWork[] = [];

  constructor(
    private readonly pool: BlockPool,
    private readonly limits: BatchLimits,
  ) {}

  enqueue(seq: Sequence): void {
    this.waiting.push(seq);
  }

  schedule(): StepPlan {
    const plan = this.plan;
    plan.work.length = 0;
    plan.started.length = 0;
    let budget = this.limits.maxBatchedTokens;
    let preempted = false;
    for (let i = 0; i < this.running.length && budget > 0; i++) {
      const seq = this.running[i]!;
      const tokens = Math.min(seq.length - seq.computed, budget);
      let scheduled = true;
      while (!this.grow(seq, seq.computed + tokens)) {
        const victim = this.running.at(-1)!;
        this.preempt(victim);
        preempted = true;
        if (victim === seq) {
          scheduled = false;
          break;
        }
      }
      if (!scheduled) break;
      this.addWork(seq, tokens);
      budget -= tokens;
    }
    while (!preempted && budget > 0 && this.running.length < this.limits.maxNumSeqs && this.waiting.length > 0) {
      const seq = this.waiting[0]!;
      const tokens = this.admit(seq, budget);
      if (tokens === 0) break;
      this.waiting.shift();
      this.running.push(seq);
      if (!seq.started) {
        seq.started = true;
        seq.cachedPromptTokens = seq.computed;
        plan.started.push(seq);
      }
      this.addWork(seq, tokens);
      budget -= tokens;
    }
    return plan;
  }

  private addWork(seq: Sequence, tokens: number): void {
    const work = this.plan.work;
    let entry = this.entries[work.length];
    if (entry === undefined) {
      entry = { seq, context: 0, tokens: 0 };
      this.entries.push(entry);
    }
    entry.seq = seq;
    entry.context = seq.computed;
    entry.tokens = tokens;
    work.push(entry);
  }

  /** Takes `seq` out of the engine and releases its blocks (finished or aborted). */
  remove(seq: Sequence): void {
    const r = this.running.indexOf(seq);
    if (r >= 0) this.running.splice(r, 1);
    const w = this.waiting.indexOf(seq);
    if (w >= 0) this.waiting.splice(w, 1);
    this.releaseBlocks(seq);
  }

  /**
   * Tries to place `seq` with its cached prefix and a first chunk of at most `budget` tokens.
   * Returns the chunk size, or 0 (changing nothing) when its blocks cannot be had.
   */
  private admit(seq: Sequence, budget: number): number {
    const maxHits = Math.floor((seq.length - 1) / BLOCK_SIZE);
    const hits: number[] = [];
    let idleHits = 0;
    for (let b = 0, block = -1; b < maxHits; b++) {
      block = this.pool.lookupAfter(block, seq.modelIdx, seq.key(b));
      if (block < 0) break;
      hits.push(block);
      if (this.pool.refs(block) === 0) idleHits++;
    }
    const cached = hits.length * BLOCK_SIZE;
    const tokens = Math.min(seq.length - cached, budget);
    const fresh = Sequence.blocksFor(cached + tokens) - hits.length;
    if (this.pool.available() - idleHits < fresh) return 0;
    for (const block of hits) this.pool.acquire(block);
    seq.blocks = hits;
    seq.computed = cached;
    seq.committed = hits.length;
    for (let i = 0; i < fresh; i++) seq.blocks.push(this.pool.allocate());
    return tokens;
  }

  /** Gives `seq` blocks for `tokens` tokens, all or none. */
  private grow(seq: Sequence, tokens: number): boolean {
    const fresh = Sequence.blocksFor(tokens) - seq.blocks.length;
    if (fresh <= 0) return true;
    if (this.pool.available() < fresh) return false;
    for (let i = 0; i < fresh; i++) seq.blocks.push(this.pool.allocate());
    return true;
  }

  private preempt(seq: Sequence): void {
    this.running.splice(this.running.indexOf(seq), 1);
    this.releaseBlocks(seq);
    seq.preemptions++;
    this.waiting.unshift(seq);
  }

  /** Releases the block table tail first, so a prefix's deepest blocks are evicted before its root. */
  private releaseBlocks(seq: Sequence): void {
    for (let i = seq.blocks.length - 1; i >= 0; i--) this.pool.release(seq.blocks[i]!);
    seq.blocks = [];
    seq.computed = 0;
    seq.committed = 0;
  }
}
