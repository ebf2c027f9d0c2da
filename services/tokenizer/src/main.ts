import { envBool, envInt, envPort, envString } from '@infermesh/config';
import { stopOnSignals } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultTokenizerOptions, startTokenizer } from './start.js';

// Entry point: environment to options, start, stop on SIGTERM/SIGINT.
//   INFERMESH_TOKENIZER_HOST, INFERMESH_TOKENIZER_PORT, INFERMESH_TOKENIZER_WARMUP (0/false disables),
//   INFERMESH_TOKENIZER_HF_ENCODER (js | native; default js), INFERMESH_TOKENIZER_PIECE_CACHE (pieces per
//   cache generation, default 50000, 0 disables), INFERMESH_LOG_LEVEL
const env = process.env;
const logger = createLogger({ service: 'tokenizer', level: envString(env, 'INFERMESH_LOG_LEVEL', 'info') });
const d = defaultTokenizerOptions();
const service = await startTokenizer(
  {
    ...d,
    host: envString(env, 'INFERMESH_TOKENIZER_HOST', d.host),
    port: envPort(env, 'INFERMESH_TOKENIZER_PORT', d.port),
    warmup: envBool(env, 'INFERMESH_TOKENIZER_WARMUP', d.warmup),
    hfEncoder: envString(env, 'INFERMESH_TOKENIZER_HF_ENCODER', d.hfEncoder) === 'native' ? 'native' : 'js',
    pieceCacheSize: envInt(env, 'INFERMESH_TOKENIZER_PIECE_CACHE', d.pieceCacheSize),
  },
  { logger },
);
stopOnSignals(service, logger);
