/** Ingress configuration. Entry points fill it from the environment; defaults suit one machine. */
export interface IngressOptions {
  host: string;
  /** Public gRPC port (default 50051; 0 picks a free one). */
  grpcPort: number;
  /** OpenAI-compatible HTTP port (default 8080; 0 picks a free one). */
  httpPort: number;
  tokenizerAddress: string;
  schedulerAddress: string;
  /** max_tokens when the caller sets none: min(this, remaining context). */
  defaultMaxTokens: number;
  /** Deadline of a request that brings none, ms (default 10 min). */
  defaultRequestTimeoutMs: number;
  /** Largest HTTP request body, bytes (default 4 MiB); larger bodies get 413. */
  maxHttpBodyBytes: number;
  /** Largest gRPC request, bytes (default 4 MiB); larger ones get RESOURCE_EXHAUSTED. */
  maxGrpcMessageBytes: number;
  /** Producer name on the event log (sequence and hash chain are per producer). */
  producer: string;
  /** How long the model list from the tokenizer is cached, ms. */
  modelCacheTtlMs: number;
}

export function defaultIngressOptions(): IngressOptions {
  return {
    host: '127.0.0.1',
    grpcPort: 50051,
    httpPort: 8080,
    tokenizerAddress: '127.0.0.1:50052',
    schedulerAddress: '127.0.0.1:50053',
    defaultMaxTokens: 256,
    defaultRequestTimeoutMs: 600_000,
    maxHttpBodyBytes: 4 * 1024 * 1024,
    maxGrpcMessageBytes: 4 * 1024 * 1024,
    producer: 'ingress/0',
    modelCacheTtlMs: 30_000,
  };
}
