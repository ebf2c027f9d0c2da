import { createLogger } from '@infermesh/telemetry';
import { defaultTokenizerOptions, startTokenizer } from './start.js';

// Entry point: environment to options, start, stop on SIGTERM/SIGINT.
//   INFERMESH_TOKENIZER_HOST, INFERMESH_TOKENIZER_PORT, INFERMESH_TOKENIZER_WARMUP (0/false disables),
//   INFERMESH_LOG_LEVEL
const env = process.env;
const logger = createLogger({ service: 'tokenizer', level: env['INFERMESH_LOG_LEVEL'] ?? 'info' });
const options = defaultTokenizerOptions();
if (env['INFERMESH_TOKENIZER_HOST']) options.host = env['INFERMESH_TOKENIZER_HOST'];
if (env['INFERMESH_TOKENIZER_PORT']) {
  const port = Number(env['INFERMESH_TOKENIZER_PORT']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`INFERMESH_TOKENIZER_PORT must be a port number, got ${env['INFERMESH_TOKENIZER_PORT']}`);
  options.port = port;
}
if (env['INFERMESH_TOKENIZER_WARMUP'] !== undefined) options.warmup = !['0', 'false', 'no'].includes(env['INFERMESH_TOKENIZER_WARMUP'].toLowerCase());

try {
  const service = await startTokenizer(options, { logger });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'tokenizer stopping');
    service.stop().then(() => process.exit(0), (err: unknown) => {
      logger.error({ err }, 'tokenizer stop failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (err) {
  logger.fatal({ err }, 'tokenizer failed to start');
  process.exit(1);
}
