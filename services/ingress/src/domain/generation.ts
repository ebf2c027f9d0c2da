import { Code, MeshError, codeName, invalidArgument, unavailable } from '@infermesh/errors';
import type { events} from '@infermesh/proto';
import { common, scheduler } from '@infermesh/proto';
import type { Principal } from '@infermesh/auth';
import { StreamingDetokenizer } from './detokenizer.js';
import { RequestLifecycle } from './lifecycle.js';
import type { ModelCatalogue } from './model-catalogue.js';
import type { CancelNotifier, EngineClients, EventSink, RequestScope, SchedulerClient, TokenizerClient } from './ports.js';
import { promptDigest, validateInput, type GenerateInput } from './request.js';
import { TokenTimer, type RequestTimings } from './token-timer.js';

/** What a generation yields to the wire layer, in order: started, chunks, final. */
export type GenerationEvent =
  | { kind: 'started'; requestId: string; model: string; promptTokens: number; workerId: string }
  | { kind: 'chunk'; tokenIds: number[]; text: string }
  | { kind: 'final'; finishReason: common.FinishReason; usage: Usage; timings: RequestTimings; workerId: string };

export interface Usage {
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
}

export interface GenerationDeps {
  tokenizer: TokenizerClient;
  scheduler: SchedulerClient;
  engines: EngineClients;
  events: EventSink;
  models: ModelCatalogue;
  defaultMaxTokens: number;
  /** Optional second path for cancellations of placed requests (the control bus). */
  cancels?: CancelNotifier;
}

/** The error that ends a request whose signal fired: DEADLINE_EXCEEDED for a timeout, else CANCELLED. */
function abortError(signal: AbortSignal): MeshError {
  const timedOut = signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';
  return timedOut ? new MeshError(Code.DeadlineExceeded, 'deadline exceeded') : new MeshError(Code.Cancelled, 'request cancelled by the client');
}

const REJECTION_CODES = new Set<number>([Code.InvalidArgument, Code.NotFound, Code.ResourceExhausted, Code.Unauthenticated, Code.PermissionDenied, Code.FailedPrecondition, Code.OutOfRange]);

/**
 * The request path: validate, tokenize, queue, run on the leased worker, stream text back, and
 * record every step. Whatever happens, a lease that was granted is released, and a request that
 * reached a worker produces exactly one usage event (partial on failure or cancellation).
 */
export class GenerationService {
  constructor(private readonly deps: GenerationDeps) {}

  /** Records a request rejected before it could be accepted (bad key, malformed body). */
  async recordRejection(scope: RequestScope, tenantId: string, api: events.Api, err: unknown): Promise<void> {
    const e = MeshError.from(err);
    await new RequestLifecycle(this.deps.events, { tenantId, requestId: scope.requestId, traceId: scope.traceId }).commit({
      case: 'requestRejected',
      value: { code: codeName(e.code), reason: e.message, api },
    });
  }

  async *generate(input: GenerateInput, principal: Principal, scope: RequestScope): AsyncGenerator<GenerationEvent> {
    const { deps } = this;
    const life = new RequestLifecycle(deps.events, { tenantId: principal.tenantId, requestId: scope.requestId, traceId: scope.traceId });
    const timer = new TokenTimer();
    let stage: 'admission' | 'running' = 'admission';
    let leaseId: string | undefined;
    let outcome = scheduler.LeaseOutcome.FAILED;
    const signal = scope.signal;

    try {
      validateInput(input);
      const spec = await deps.models.get(input.model);
      if (input.maxTokens !== undefined && input.maxTokens >= spec.contextLength) {
        throw invalidArgument(`max_tokens (${input.maxTokens}) must be less than the model's context of ${spec.contextLength} tokens`, 'max_tokens');
      }
      life.note({
        case: 'requestAccepted',
        value: { model: input.model, api: input.api, promptSha256: promptDigest(input), maxTokens: input.maxTokens ?? 0, stream: input.stream, apiKeyId: principal.keyId },
      });

      const tok = await deps.tokenizer.tokenize(
        {
          model: input.model,
          input: input.chat !== undefined ? { case: 'chat', value: { messages: input.chat, tools: input.tools ?? [], addGenerationPrompt: true } } : { case: 'text', value: input.prompt ?? '' },
          withBlockHashes: true,
          cacheSalt: principal.tenantId,
          reserveTokens: input.maxTokens ?? 1,
        },
        { parent: scope, signal },
      );
      const promptTokens = tok.tokenIds.length;
      if (promptTokens === 0) throw invalidArgument('prompt must not be empty', 'prompt');
      const maxTokens = input.maxTokens ?? Math.min(deps.defaultMaxTokens, tok.contextLength - promptTokens);
      life.note({ case: 'requestTokenized', value: { promptTokens, promptBlocks: tok.blockHashes.length } }, { case: 'requestQueued', value: {} });

      const lease = await deps.scheduler.schedule(
        { requestId: scope.requestId, tenantId: principal.tenantId, model: input.model, promptTokens, maxTokens, blockHashes: tok.blockHashes, blockSize: tok.blockSize },
        { parent: scope, signal },
      );
      leaseId = lease.leaseId;
      timer.scheduled();
      life.note({
        case: 'requestScheduled',
        value: { workerId: lease.workerId, leaseId: lease.leaseId, predictedCachedBlocks: lease.predictedCachedBlocks, queueMs: timer.queueMs(), routingMode: scheduler.RoutingMode[lease.routingMode] },
      });

      stage = 'running';
      yield* this.run(input, principal, scope, life, timer, { tokenIds: tok.tokenIds, maxTokens, workerId: lease.workerId, workerAddress: lease.workerAddress }, (o) => (outcome = o));
    } catch (err) {
      // Once the request's own signal has fired, its reason (deadline or cancellation) is the answer,
      // whatever a downstream call reported on the way out.
      const e = signal.aborted ? abortError(signal) : MeshError.from(err);
      if (stage === 'admission') await this.recordAdmissionFailure(life, e, signal);
      throw e;
    } finally {
      if (leaseId !== undefined) {
        deps.scheduler.release({ leaseId, outcome }, { timeoutMs: 2000 }).catch((err: unknown) => scope.logger.warn({ err: MeshError.from(err).message, lease_id: leaseId }, 'lease release failed; its TTL will reclaim it'));
      }
    }
  }

  private async *run(
    input: GenerateInput,
    principal: Principal,
    scope: RequestScope,
    life: RequestLifecycle,
    timer: TokenTimer,
    job: { tokenIds: number[]; maxTokens: number; workerId: string; workerAddress: string },
    setOutcome: (o: scheduler.LeaseOutcome) => void,
  ): AsyncGenerator<GenerationEvent> {
    const { deps } = this;
    const signal = scope.signal;
    const usage: Usage = { promptTokens: job.tokenIds.length, cachedPromptTokens: 0, completionTokens: 0 };
    let finishReason = common.FinishReason.LENGTH;
    // Ending the engine stream early (a stop string matched) must not read as the client cancelling.
    const engineAbort = new AbortController();
    const engineSignal = AbortSignal.any([signal, engineAbort.signal]);
    const detok = new StreamingDetokenizer(deps.tokenizer, input.model, scope, signal, input.stop ?? []);
    const usageEvent = (reason: common.FinishReason) => ({
      case: 'usageRecorded' as const,
      value: { model: input.model, usage, workerId: job.workerId, finishReason: reason, acceptedAt: timer.acceptedAtTimestamp() },
    });
    // Settled once the outcome is recorded. A consumer that stops reading at a yield (the client went
    // away between two messages) resumes this generator only through `finally`, which settles it.
    let settled = false;
    try {
      const engine = deps.engines.get(job.workerAddress);
      const stream = engine.generate(
        { requestId: scope.requestId, model: input.model, promptTokenIds: job.tokenIds, maxTokens: job.maxTokens, cacheSalt: principal.tenantId, seed: input.seed ?? 0n },
        { parent: scope, signal: engineSignal },
      );
      let started = false;
      for await (const msg of stream) {
        const ev = msg.event;
        if (ev.case === 'started') {
          usage.cachedPromptTokens = ev.value.cachedPromptTokens;
          if (!started) yield { kind: 'started', requestId: scope.requestId, model: input.model, promptTokens: usage.promptTokens, workerId: job.workerId };
          started = true;
        } else if (ev.case === 'tokens') {
          if (usage.completionTokens === 0) life.note({ case: 'firstToken', value: { timeToFirstTokenMs: timer.firstToken() } });
          timer.tokens(ev.value.tokenIds.length);
          usage.completionTokens += ev.value.tokenIds.length;
          const before = usage.completionTokens - ev.value.tokenIds.length;
          const text = await detok.push(ev.value.tokenIds);
          if (detok.stoppedAt !== undefined) {
            // Bill and return the ids up to the one that completed the stop; the engine stops here.
            const kept = ev.value.tokenIds.slice(0, Math.max(0, detok.stoppedAt - before));
            usage.completionTokens = before + kept.length;
            finishReason = common.FinishReason.STOP;
            yield { kind: 'chunk', tokenIds: kept, text };
            engineAbort.abort();
            break;
          }
          yield { kind: 'chunk', tokenIds: ev.value.tokenIds, text };
        } else if (ev.case === 'finished') {
          finishReason = ev.value.finishReason;
          usage.cachedPromptTokens = ev.value.cachedPromptTokens;
        }
      }
      const tail = await detok.finish();
      if (tail !== '') yield { kind: 'chunk', tokenIds: [], text: tail };
      const timings = timer.timings();
      settled = true;
      await life.commit({ case: 'requestCompleted', value: { finishReason, timings } }, usageEvent(finishReason));
      setOutcome(scheduler.LeaseOutcome.COMPLETED);
      yield { kind: 'final', finishReason, usage, timings, workerId: job.workerId };
    } catch (err) {
      settled = true;
      detok.abandon();
      const e = MeshError.from(err);
      // The request's deadline reaches the engine call too, which may report it a moment before the
      // request's own signal fires: classify by either.
      if (signal.aborted || e.code === Code.DeadlineExceeded || e.code === Code.Cancelled) {
        setOutcome(scheduler.LeaseOutcome.CANCELLED);
        const timedOut = signal.aborted ? signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError' : e.code === Code.DeadlineExceeded;
        const reason = timedOut ? 'deadline_exceeded' : 'client_cancelled';
        deps.cancels?.(job.workerId, scope.requestId, reason);
        await life.commit({ case: 'requestCancelled', value: { reason } }, usageEvent(common.FinishReason.CANCELLED));
        throw reason === 'deadline_exceeded' ? new MeshError(Code.DeadlineExceeded, 'deadline exceeded while generating') : new MeshError(Code.Cancelled, 'request cancelled by the client');
      }
      const lost = unavailable(`worker ${job.workerId} was lost after ${usage.completionTokens} output tokens; retry the request`, err);
      const reported = e.code === Code.Unavailable || e.code === Code.Internal || e.code === Code.Unknown ? lost : e;
      deps.engines.drop(job.workerAddress);
      await life.commit({ case: 'requestFailed', value: { code: codeName(reported.code), reason: reported.message } }, usageEvent(common.FinishReason.ERROR));
      throw reported;
    } finally {
      if (!settled) {
        deps.cancels?.(job.workerId, scope.requestId, 'client_cancelled');
        detok.abandon();
        setOutcome(scheduler.LeaseOutcome.CANCELLED);
        await life
          .commit({ case: 'requestCancelled', value: { reason: 'client_cancelled' } }, usageEvent(common.FinishReason.CANCELLED))
          .catch((err: unknown) => scope.logger.error({ err: MeshError.from(err).message }, 'could not record the cancellation'));
      }
    }
  }

  private async recordAdmissionFailure(life: RequestLifecycle, err: unknown, signal: AbortSignal): Promise<void> {
    const e = MeshError.from(err);
    try {
      if (signal.aborted || e.code === Code.Cancelled || e.code === Code.DeadlineExceeded) {
        await life.commit({ case: 'requestCancelled', value: { reason: e.code === Code.DeadlineExceeded ? 'deadline_exceeded' : 'client_cancelled' } });
      } else if (REJECTION_CODES.has(e.code)) {
        await life.commit({ case: 'requestRejected', value: { code: codeName(e.code), reason: e.message } });
      } else {
        await life.commit({ case: 'requestFailed', value: { code: codeName(e.code), reason: e.message } });
      }
    } catch {
      // The event log being down must not mask the request's own error; the log's own health surfaces it.
    }
  }
}
