import { invalidArgument, notFound, resourceExhausted } from '@infermesh/errors';
import { BatchScheduler, type StepPlan } from './batch-scheduler.js';
import { BLOCK_SIZE, BlockPool } from './block-pool.js';
import { MODEL_CATALOGUE, type ServedModel } from './catalogue.js';
import type { Clock, TimerHandle } from './clock.js';
import { EventRecorder, type EngineEventBody, type EventWatcher } from './kv-events.js';
import { OutputTokens } from './output-tokens.js';
import { GPU_PROFILES, type GpuProfile } from './profiles.js';
import { stepTimeSeconds } from './roofline.js';
import { Sequence, type SequenceListener } from './sequence.js';
import { type EngineOptions, validateEngineOptions } from './engine-options.js';

/** A generation request as the engine sees it (token ids in, token ids out). */
export interface GenerateRequest {
  model: string;
  /**
   * Token ids (an array, or a typed array to keep long prompts off the JavaScript heap). Kept by
   * reference while the sequence lives, not copied: the caller must not change it after submit.
   */
  promptTokenIds: ArrayLike<number>;
  /** Exactly this many tokens are generated unless the sequence is aborted; >= 1. */
  maxTokens: number;
  cacheSalt: string;
  seed: bigint;
  /**
   * The prompt's block chain when the caller already hashed it (the simulator's workloads do), so
   * that the engine does not hash the prompt again: the key of every full prompt block
   * (`hashBlocks(promptTokenIds, BLOCK_SIZE, cacheSalt).keys`) and the last one's digest (32 bytes,
   * or the same as a kv-blocks binary string), from which output blocks continue the chain. Trusted
   * as given, so only an in-process caller that hashed these very tokens may pass it: a wrong
   * chain makes the prefix cache serve wrong blocks. Wrong lengths are INVALID_ARGUMENT. Like the
   * prompt, `keys` is kept by reference, not copied.
   */
  promptChain?: { readonly keys: readonly bigint[]; readonly lastDigest: Uint8Array | string | undefined };
}

/** A submitted sequence. `abort()` is idempotent; blocks are freed at the next step. */
export interface SequenceHandle {
  readonly id: number;
  abort(): void;
}

/** Static facts about an engine (GetInfo). */
export interface EngineInfo {
  workerId: string;
  models: string[];
  gpu: string;
  maxNumSeqs: number;
  kvBlocksTotal: number;
  blockSize: number;
}

/**
 * The simulated continuous-batching engine. Single-threaded and driven by its `Clock`: a step is
 * planned, takes the roofline time of its batch, then its results (tokens, finished sequences,
 * KV events) are delivered and the next step is planned. The engine idles when nothing is
 * runnable and wakes on submit or abort. Listener and watcher callbacks run inside the step.
 */
export class SimEngine {
  private readonly options: EngineOptions;
  private readonly models: readonly ServedModel[];
  private readonly gpu: GpuProfile;
  private readonly events = new EventRecorder();
  private readonly pool: BlockPool;
  private readonly scheduler: BatchScheduler;
  private nextId = 1;
  private stepTimer: TimerHandle | undefined;
  /** The plan of the step in flight (the scheduler reuses it for the next one). */
  private inFlight: StepPlan | undefined;
  private wakeTimer: TimerHandle | undefined;
  private loadTimer: TimerHandle | undefined;
  private tokensSinceReport = 0;
  private lastReportAt: number;
  private closed = false;
  private totalSteps = 0;

  constructor(
    options: EngineOptions,
    private readonly clock: Clock,
  ) {
    this.options = validateEngineOptions(options);
    this.models = options.models ?? MODEL_CATALOGUE;
    this.gpu = GPU_PROFILES[options.gpu]!;
    this.pool = new BlockPool(options.kvBlocks, this.models.map((m) => m.name), this.events);
    this.scheduler = new BatchScheduler(this.pool, options);
    this.lastReportAt = clock.now();
    if (options.loadReportIntervalMs > 0) this.armLoadReport();
  }

  /**
   * Queues a sequence. Throws MeshError: NOT_FOUND for an unserved model, INVALID_ARGUMENT for an
   * empty prompt, max_tokens < 1 or a sequence that cannot fit the model's context or the whole
   * KV cache, RESOURCE_EXHAUSTED when the waiting queue is full.
   */
  submit(req: GenerateRequest, listener: SequenceListener): SequenceHandle {
    if (this.closed) throw resourceExhausted('engine is shutting down');
    const modelIdx = this.modelIndex(req.model);
    const model = this.models[modelIdx];
    if (model === undefined) throw notFound(`model ${JSON.stringify(req.model)} is not served by this engine`);
    if (req.promptTokenIds.length === 0) throw invalidArgument('prompt must have at least one token', 'prompt_token_ids');
    if (!Number.isInteger(req.maxTokens) || req.maxTokens < 1) throw invalidArgument('max_tokens must be at least 1', 'max_tokens');
    const total = req.promptTokenIds.length + req.maxTokens;
    if (total > model.maxContextTokens) {
      throw invalidArgument(`prompt plus max_tokens (${total}) exceeds the model context of ${model.maxContextTokens}`, 'max_tokens');
    }
    if (Sequence.blocksFor(total) > this.pool.total) {
      throw invalidArgument(`prompt plus max_tokens (${total}) exceeds the engine's KV cache`, 'max_tokens');
    }
    const chain = req.promptChain;
    const fullBlocks = Math.floor(req.promptTokenIds.length / BLOCK_SIZE);
    if (chain !== undefined && (chain.keys.length !== fullBlocks || (fullBlocks > 0 ? chain.lastDigest?.length !== 32 : chain.lastDigest !== undefined))) {
      throw invalidArgument(`prompt chain must have ${fullBlocks} keys and a 32-byte last digest when non-empty`, 'prompt_chain');
    }
    if (this.scheduler.waiting.length >= this.options.maxWaiting) throw resourceExhausted('engine queue is full');
    const output = new OutputTokens(model.name, req.seed, req.promptTokenIds, model.regularVocabSize, model.firstRegularToken ?? 0);
    const seq = new Sequence(this.nextId++, modelIdx, req.cacheSalt, req.promptTokenIds, req.maxTokens, output, listener, chain);
    this.scheduler.enqueue(seq);
    this.wake();
    return {
      id: seq.id,
      abort: () => {
        if (seq.aborted) return;
        seq.aborted = true;
        this.wake();
      },
    };
  }

  /**
   * Adds an event watcher. When events were already produced, the cache is re-announced to every
   * watcher (all_cleared, then every cached block as stored, parents first) so that a late
   * watcher's view equals the cache while sequence numbers stay gap-free for all. A load report
   * follows, so every watcher's first batch is immediate and non-empty. Returns unwatch.
   */
  watch(watcher: EventWatcher): () => void {
    const unwatch = this.events.watch(watcher);
    if (this.events.lastSequence() > 0) {
      this.events.push({ kind: 'allCleared' });
      for (const b of this.pool.snapshot()) this.events.stored(b.model, b.hash, b.parentHash);
    }
    this.events.push(this.loadReport());
    this.events.flush();
    return unwatch;
  }

  info(): EngineInfo {
    return {
      workerId: this.options.workerId,
      models: this.models.map((m) => m.name),
      gpu: this.gpu.name,
      maxNumSeqs: this.options.maxNumSeqs,
      kvBlocksTotal: this.pool.total,
      blockSize: BLOCK_SIZE,
    };
  }

  /** Current occupancy; `kvBlocksCached` counts blocks a prefix lookup can hit. */
  stats(): { running: number; waiting: number; kvBlocksUsed: number; kvBlocksCached: number; steps: number } {
    return {
      running: this.scheduler.running.length,
      waiting: this.scheduler.waiting.length,
      kvBlocksUsed: this.pool.referenced(),
      kvBlocksCached: this.pool.cachedCount(),
      steps: this.totalSteps,
    };
  }

  /**
   * How many of `blockHashes` this engine's cache holds for `model`, consecutively from the first,
   * right now (0 for a model it does not serve). Read-only: the LRU order is untouched. This is
   * the truth the kv-directory approximates from events; the simulator's oracle policy asks it.
   */
  cachedPrefixBlocks(model: string, blockHashes: readonly bigint[]): number {
    const modelIdx = this.modelIndex(model);
    if (modelIdx < 0) return 0;
    let n = 0;
    for (let block = -1; n < blockHashes.length; n++) {
      block = this.pool.lookupAfter(block, modelIdx, blockHashes[n]!);
      if (block < 0) break;
    }
    return n;
  }

  /** The block pool, for invariant checks in tests. Not part of the public surface. */
  get blockPool(): BlockPool {
    return this.pool;
  }

  /** Stops stepping and finishes every sequence as cancelled. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of [this.stepTimer, this.wakeTimer, this.loadTimer]) if (t !== undefined) this.clock.clearTimer(t);
    for (const seq of [...this.scheduler.running, ...this.scheduler.waiting]) this.finish(seq, 'cancelled');
    this.events.flush();
  }

  private modelIndex(model: string): number {
    for (let i = 0; i < this.models.length; i++) if (this.models[i]!.name === model) return i;
    return -1;
  }

  private wake(): void {
    if (this.stepTimer !== undefined || this.wakeTimer !== undefined || this.closed) return;
    this.wakeTimer = this.clock.setTimer(() => {
      this.wakeTimer = undefined;
      this.step();
    }, 0);
  }

  private step(): void {
    if (this.stepTimer !== undefined || this.closed) return;
    this.finishAborted(this.scheduler.running);
    this.finishAborted(this.scheduler.waiting);
    const plan = this.scheduler.schedule();
    this.events.flush();
    for (const seq of plan.started) seq.listener.onStarted(seq.cachedPromptTokens);
    if (plan.work.length === 0) return;
    const served = this.models[plan.work[0]!.seq.modelIdx]!;
    const seconds = stepTimeSeconds(plan.work, this.gpu, served.profile, served.tensorParallel ?? 1);
    this.inFlight = plan;
    this.stepTimer = this.clock.setTimer(this.stepDone, seconds * 1000);
  }

  /** The in-flight step's timer: one bound function for every step, not a closure per step. */
  private readonly stepDone = (): void => {
    this.stepTimer = undefined;
    const plan = this.inFlight!;
    this.inFlight = undefined;
    this.complete(plan);
    this.step();
  };

  /** Finishes the aborted sequences of `queue` (which finishing shrinks) as cancelled. */
  private finishAborted(queue: readonly Sequence[]): void {
    for (let i = 0; i < queue.length; ) {
      const seq = queue[i]!;
      if (seq.aborted) this.finish(seq, 'cancelled');
      else i++;
    }
  }

  private complete(plan: StepPlan): void {
    this.totalSteps++;
    for (const { seq, tokens } of plan.work) {
      seq.computed += tokens;
      this.tokensSinceReport += tokens;
      const full = Math.floor(seq.computed / BLOCK_SIZE);
      for (let b = seq.committed; b < full; b++) {
        this.pool.commit(seq.blocks[b]!, seq.modelIdx, seq.key(b), b === 0 ? 0n : seq.key(b - 1), b === 0 ? -1 : seq.blocks[b - 1]!);
      }
      seq.committed = Math.max(seq.committed, full);
      if (seq.computed < seq.length || seq.aborted) continue;
      const token = seq.output.at(seq.completionTokens);
      seq.generated.push(token);
      seq.listener.onTokens([token]);
      if (seq.completionTokens >= seq.maxTokens) this.finish(seq, 'length');
    }
    this.events.flush();
  }

  private finish(seq: Sequence, reason: 'length' | 'cancelled'): void {
    this.scheduler.remove(seq);
    seq.listener.onFinished({
      finishReason: reason,
      promptTokens: seq.promptLength,
      cachedPromptTokens: seq.cachedPromptTokens,
      completionTokens: seq.completionTokens,
      preemptions: seq.preemptions,
    });
  }

  private armLoadReport(): void {
    this.loadTimer = this.clock.setTimer(() => {
      // Unwatched reports would only burn sequence numbers: a first watcher then sees 1, 2, ...
      if (this.events.watcherCount() > 0) {
        this.events.push(this.loadReport());
        this.events.flush();
      }
      this.armLoadReport();
    }, this.options.loadReportIntervalMs);
  }

  /** Occupancy now and throughput since the previous report (which this one resets). */
  private loadReport(): EngineEventBody {
    const now = this.clock.now();
    const seconds = (now - this.lastReportAt) / 1000;
    const s = this.stats();
    const tokensPerSecond = seconds > 0 ? this.tokensSinceReport / seconds : 0;
    this.tokensSinceReport = 0;
    this.lastReportAt = now;
    return { kind: 'load', running: s.running, waiting: s.waiting, kvBlocksUsed: s.kvBlocksUsed, kvBlocksTotal: this.pool.total, tokensPerSecond };
  }
}
