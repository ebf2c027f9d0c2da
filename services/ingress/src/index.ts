import type { TenantDirectory } from '@infermesh/auth';
import { inference, scheduler, tokenizer } from '@infermesh/proto';
import { createClient, createServer, type RunningService } from '@infermesh/rpc';
import type { Logger } from '@infermesh/telemetry';
import { GenerationService } from './domain/generation.js';
import { ModelCatalogue } from './domain/model-catalogue.js';
import type { CancelNotifier, EventSink } from './domain/ports.js';
import { EngineClientPool } from './engine-clients.js';
import { inferenceService } from './grpc/inference-service.js';
import { createHttpServer } from './http/http-server.js';
import type { IngressOptions } from './options.js';

export { defaultIngressOptions, type IngressOptions } from './options.js';
export { GenerationService, type GenerationEvent, type Usage } from './domain/generation.js';
export type { GenerateInput, ChatTurn } from './domain/request.js';
export type { CancelNotifier, EventSink } from './domain/ports.js';

export interface IngressDeps {
  events: EventSink;
  /** Second path for cancellations of placed requests (cluster: the control bus); optional. */
  cancels?: CancelNotifier;
  tenants: TenantDirectory;
  logger: Logger;
}

export interface RunningIngress extends RunningService {
  /** host:port of the OpenAI-compatible HTTP API. */
  readonly httpAddress: string;
}

/** Starts the public gRPC API and the OpenAI-compatible HTTP API, wired to the tokenizer and scheduler. */
export async function startIngress(options: IngressOptions, deps: IngressDeps): Promise<RunningIngress> {
  const logger = deps.logger;
  const tok = createClient(tokenizer.Tokenizer, options.tokenizerAddress, { name: 'tokenizer', timeoutMs: 10_000 });
  const sched = createClient(scheduler.Scheduler, options.schedulerAddress, { name: 'scheduler', timeoutMs: 5000 });
  const engines = new EngineClientPool();
  const models = new ModelCatalogue(tok, options.modelCacheTtlMs);
  const generation = new GenerationService({ tokenizer: tok, scheduler: sched, engines, events: deps.events, models, defaultMaxTokens: options.defaultMaxTokens, ...(deps.cancels === undefined ? {} : { cancels: deps.cancels }) });

  const grpc = createServer({ name: 'ingress', host: options.host, port: options.grpcPort, logger, maxReceiveMessageBytes: options.maxGrpcMessageBytes });
  grpc.add(inference.Inference, inferenceService({ generation, tenants: deps.tenants, models, tokenizer: tok, defaultRequestTimeoutMs: options.defaultRequestTimeoutMs }));
  const { address } = await grpc.start();

  const http = createHttpServer({ generation, tenants: deps.tenants, models, logger, defaultRequestTimeoutMs: options.defaultRequestTimeoutMs }, { maxBodyBytes: options.maxHttpBodyBytes });
  await http.listen({ host: options.host, port: options.httpPort });
  const httpAddr = http.server.address();
  const httpAddress = typeof httpAddr === 'object' && httpAddr !== null ? `${options.host}:${httpAddr.port}` : String(httpAddr);
  logger.info({ address: httpAddress }, 'ingress HTTP server listening');

  return {
    name: 'ingress',
    address,
    httpAddress,
    async stop(graceMs = 5000) {
      await Promise.all([http.close(), grpc.shutdown(graceMs)]);
      engines.closeAll();
      tok.close();
      sched.close();
    },
  };
}
export { busCancels } from './bus-cancels.js';
