import { CompactKvIndex, EventApplier, type KvEvent, type KvIndex } from '@infermesh/kv-directory';
import { buildPolicy, OracleMatcher, Scheduler, type KvMatcher, type Placement, type TrueCacheProbe } from '@infermesh/scheduler';
import { createLogger } from '@infermesh/telemetry';
import { SimEngine, defaultEngineOptions, type EngineEvent, type SequenceListener } from '@infermesh/worker-supervisor';
import type { FleetConfig } from './fleet-config.js';
import { MsHistogram, type SimMetrics } from './metrics.js';
import { SimClock } from './sim-clock.js';
import { releaseTokens, SIM_CACHE_SALT, type SimRequest, type Workload } from './workloads/types.js';

/** One run: a workload, a policy, a fleet. */
export interface SimConfig {
  readonly workload: Workload;
  /** A name of `routingPolicies` (@infermesh/scheduler). */
  readonly policy: string;
  readonly fleet: FleetConfig;
  /** Seeds the random picker. */
  readonly seed: number;
  /** Replaces the policy's scorer weights. */
  readonly weights?: Record<string, number>;
  /**
   * Calls the workload's `prepare` before the clock starts (default true), timed apart as
   * `prepareMs`: the metrics are the same either way, only the wall-clock split differs.
   */
  readonly prepare?: boolean;
}

/** Longest timer Node accepts; the scheduler's queue and lease timers must never fire in a run. */
const NEVER_MS = 2_000_000_000;

/** Lets every pending promise continuation run (the scheduler's admission awaits its matcher). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs the production Scheduler (fair queue, Router, leases) over simulated engines in virtual
 * time: no sockets, no wall-clock waits. Engines emit KV events that reach an EventApplier and a
 * CompactKvIndex (the service's index) after `eventDelayMs` (the directory the cache-aware policy asks); load reports
 * reach the scheduler the same way. The oracle policy asks the engines' true caches (`SimEngine.cachedPrefixBlocks`) instead.
 * The run ends when every issued request has finished; the result is a pure function of the
 * configuration (same seed, same numbers).
 */
export async function runSimulation(config: SimConfig): Promise<SimMetrics> {
  const { fleet } = config;
  let prepareMs = 0;
  if (config.prepare !== false && config.workload.prepare !== undefined) {
    const prepareStarted = performance.now();
    config.workload.prepare();
    prepareMs = performance.now() - prepareStarted;
  }
  const clock = new SimClock();
  const engines = new Map<string, SimEngine>();
  for (let i = 0; i < fleet.workers; i++) {
    const workerId = `w${String(i).padStart(2, '0')}`;
    engines.set(
      workerId,
      new SimEngine(
        {
          ...defaultEngineOptions(),
          workerId,
          gpu: fleet.gpu,
          maxNumSeqs: fleet.maxNumSeqs,
          kvBlocks: fleet.kvBlocks,
          maxBatchedTokens: fleet.maxBatchedTokens,
          maxWaiting: 1_000_000,
          loadReportIntervalMs: fleet.loadReportIntervalMs,
        },
        clock,
      ),
    );
  }

  const built = buildPolicy(config.policy, { seed: config.seed, ...(config.weights !== undefined ? { weights: config.weights } : {}) });
  // Not sized for the fleet's KV capacity: a table of that size costs a page fault per 4 KiB touched in every run,
  // more than growing it costs in runs that cache a fraction of the fleet (docs/benchmarks/routing.md, fourth pass).
  const index: KvIndex = new CompactKvIndex();
  const applier = new EventApplier(index);
  const matcher = matcherFor(built.policy.matchSource, index, engines);
  const scheduler = new Scheduler(
    { queueCapacity: 1_000_000, leaseTtlMs: NEVER_MS, defaultQueueTimeoutMs: NEVER_MS, fallbackCapacity: 1 },
    { matcher, router: built.router, logger: createLogger({ service: 'sim', level: 'silent' }), clock: { now: () => clock.now() } },
  );
  scheduler.setWorkers([...engines.keys()].map((workerId) => ({ workerId, address: `sim://${workerId}`, models: [fleet.model], state: 'ready', maxNumSeqs: fleet.maxNumSeqs })));
  for (const [workerId, engine] of engines) {
    engine.watch((batch) => {
      clock.setTimer(() => deliver(workerId, batch, applier, scheduler), fleet.eventDelayMs);
    });
  }

  const ttft = new MsHistogram();
  const itl = new MsHistogram();
  const queue = new MsHistogram();
  const e2e = new MsHistogram();
  const perWorker: Record<string, number> = {};
  let issued = 0;
  let finished = 0;
  let failed = 0;
  let promptTokens = 0;
  let cachedTokens = 0;
  let predictedTokens = 0;
  let outputTokens = 0;
  let preemptions = 0;
  let firstArrival = Infinity;
  let lastFinish = 0;
  let dirty = false;

  const listenerFor = (req: SimRequest, placement: Placement): SequenceListener => {
    let last = -1;
    return {
      onStarted: () => {},
      onTokens: (tokens) => {
        const now = clock.now();
        if (last < 0) ttft.record(now - req.arrivalMs);
        else itl.record(now - last);
        last = now;
        outputTokens += tokens.length;
      },
      onFinished: (result) => {
        const now = clock.now();
        finished++;
        lastFinish = now;
        promptTokens += result.promptTokens;
        cachedTokens += result.cachedPromptTokens;
        preemptions += result.preemptions;
        e2e.record(now - req.arrivalMs);
        scheduler.release(placement.leaseId);
        dirty = true;
        const next = config.workload.onFinished?.(req, now);
        releaseTokens(req.promptTokens);
        if (next !== undefined) arriveAt(next);
      },
    };
  };
  const dispatch = (req: SimRequest, placement: Placement): void => {
    queue.record(placement.queueMs);
    perWorker[placement.workerId] = (perWorker[placement.workerId] ?? 0) + 1;
    predictedTokens += Math.min(placement.predictedCachedBlocks * 16, req.promptTokens.length);
    const request = { model: fleet.model, promptTokenIds: req.promptTokens, maxTokens: req.maxTokens, cacheSalt: SIM_CACHE_SALT, seed: BigInt(req.id + 1), promptChain: { keys: req.blockHashes, lastDigest: req.lastBlockDigest } };
    try {
      engines.get(placement.workerId)!.submit(request, listenerFor(req, placement));
    } catch {
      // Rejected by the engine (too long for the context or the KV cache): counted, not fatal.
      failed++;
      releaseTokens(req.promptTokens);
      scheduler.release(placement.leaseId);
      dirty = true;
    }
  };
  const arrive = (req: SimRequest): void => {
    firstArrival = Math.min(firstArrival, clock.now());
    dirty = true;
    scheduler.schedule({ requestId: String(req.id), tenantId: req.tenantId, model: fleet.model, blockHashes: req.blockHashes }).then(
      (p) => dispatch(req, p),
      () => {
        failed++;
        releaseTokens(req.promptTokens);
      },
    );
  };
  const arriveAt = (req: SimRequest): void => {
    issued++;
    clock.setTimer(() => arrive(req), req.arrivalMs - clock.now());
  };

  const started = performance.now();
  const arrivals = config.workload.arrivals()[Symbol.iterator]();
  const scheduleNextArrival = (): void => {
    const r = arrivals.next();
    if (r.done === true) return;
    issued++;
    clock.setTimer(() => {
      arrive(r.value);
      scheduleNextArrival();
    }, r.value.arrivalMs - clock.now());
  };
  scheduleNextArrival();
  while (finished + failed < issued && clock.fireNext()) {
    if (dirty) {
      dirty = false;
      await settle();
    }
  }
  const wallMs = performance.now() - started;
  for (const engine of engines.values()) engine.close();
  scheduler.close();

  const virtualMs = Math.max(0, lastFinish - (Number.isFinite(firstArrival) ? firstArrival : 0));
  const seconds = virtualMs / 1000;
  return {
    requests: issued,
    completed: finished,
    failed,
    ttftMs: ttft.summary(),
    itlMs: itl.summary(),
    queueMs: queue.summary(),
    e2eMs: e2e.summary(),
    outputTokensPerS: seconds > 0 ? outputTokens / seconds : 0,
    requestsPerS: seconds > 0 ? finished / seconds : 0,
    promptTokensPerS: seconds > 0 ? promptTokens / seconds : 0,
    prefixHitRate: promptTokens > 0 ? cachedTokens / promptTokens : 0,
    predictedHitRate: cachedTokens > 0 ? predictedTokens / cachedTokens : 0,
    preemptions,
    perWorker,
    virtualMs,
    wallMs,
    prepareMs,
    speedup: wallMs > 0 ? virtualMs / wallMs : Infinity,
    speedupWithPrepare: wallMs + prepareMs > 0 ? virtualMs / (wallMs + prepareMs) : Infinity,
  };
}

function matcherFor(source: 'directory' | 'oracle' | 'none', index: KvIndex, engines: ReadonlyMap<string, SimEngine>): KvMatcher {
  switch (source) {
    case 'directory':
      return {
        match: (q) => {
          const out = new Map<string, number>();
          for (const m of index.match(q.model, q.blockHashes, q.workerIds)) if (m.matchedBlocks > 0) out.set(m.workerId, m.matchedBlocks);
          return Promise.resolve(out);
        },
      };
    case 'oracle':
      return new OracleMatcher(
        [...engines].map(([workerId, engine]): TrueCacheProbe => ({ workerId, cachedPrefixBlocks: (model, hashes) => engine.cachedPrefixBlocks(model, hashes) })),
      );
    case 'none':
      return { match: () => Promise.resolve(new Map()) };
  }
}

/** Hands one delivered event batch to the directory (KV events) and the scheduler (load). */
function deliver(workerId: string, batch: readonly EngineEvent[], applier: EventApplier, scheduler: Scheduler): void {
  for (const e of batch) {
    applier.apply(toKvEvent(workerId, e));
    if (e.kind === 'load') {
      scheduler.applyLoad(workerId, { running: e.running, waiting: e.waiting, kvUsage: e.kvBlocksTotal > 0 ? e.kvBlocksUsed / e.kvBlocksTotal : 0 });
    }
  }
}

function toKvEvent(workerId: string, e: EngineEvent): KvEvent {
  const base = { workerId, sequence: BigInt(e.sequence) };
  switch (e.kind) {
    case 'stored':
      return { ...base, kind: 'stored', model: e.model, blockHashes: e.blockHashes };
    case 'removed':
      return { ...base, kind: 'removed', model: e.model, blockHashes: e.blockHashes };
    case 'allCleared':
      return { ...base, kind: 'cleared' };
    case 'load':
      return { ...base, kind: 'other' };
  }
}
