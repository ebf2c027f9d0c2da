#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { generateCommand } from './commands/generate.js';
import { replayCommand } from './commands/replay.js';
import { startCommand } from './commands/start.js';
import { tokenizeCommand } from './commands/tokenize.js';

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

const program = new Command('infermesh').description('infermesh: the LLM-inference serving control plane');

program
  .command('start')
  .description('run the whole mesh on embedded defaults (configured by INFERMESH_* environment variables)')
  .action(startCommand);

program
  .command('generate')
  .description('send one streamed generation request to the gRPC API')
  .requiredOption('-m, --model <model>', 'served model id')
  .requiredOption('-p, --prompt <text>', 'prompt text')
  .option('--chat', 'send the prompt as a user chat message (the chat template applies)', false)
  .option('--max-tokens <n>', 'output token limit', positiveInt)
  .option('-a, --address <host:port>', 'ingress gRPC address', process.env['INFERMESH_GRPC_ADDRESS'] ?? '127.0.0.1:50051')
  .option('-k, --api-key <key>', 'API key (default: INFERMESH_API_KEY)', process.env['INFERMESH_API_KEY'])
  .option('--json', 'print every stream message as a JSON line', false)
  .action(async (o: { model: string; prompt: string; chat: boolean; maxTokens?: number; address: string; apiKey?: string; json: boolean }) => {
    await generateCommand({ address: o.address, model: o.model, prompt: o.prompt, chat: o.chat, apiKey: o.apiKey, json: o.json, ...(o.maxTokens === undefined ? {} : { maxTokens: o.maxTokens }) });
  });

program
  .command('replay')
  .description('verify the event log and rebuild the billing ledger from it; compare with the live ledger')
  .option('-l, --log <dir>', 'event log directory', '.infermesh/events')
  .option('-b, --billing <host:port>', 'live billing service to compare with')
  .option('-t, --admin-token <token>', 'admin token of the billing service (default: INFERMESH_ADMIN_TOKEN)', process.env['INFERMESH_ADMIN_TOKEN'])
  .option('--wait-ms <ms>', 'how long to wait for billing to catch up with the log', positiveInt, 10_000)
  .action(async (o: { log: string; billing?: string; adminToken?: string; waitMs: number }) => {
    process.exitCode = await replayCommand({ log: o.log, waitMs: o.waitMs, ...(o.billing === undefined ? {} : { billing: o.billing }), ...(o.adminToken === undefined ? {} : { adminToken: o.adminToken }) });
  });

program
  .command('tokenize')
  .description("tokenize text from stdin or a file with a served model's tokenizer (in-process); prints the count, or the ids with --json")
  .requiredOption('-m, --model <model>', 'model id from the catalogue')
  .option('-f, --file <path>', 'read this file instead of stdin (- for stdin)')
  .option('--json', 'print the token ids as a JSON array', false)
  .action(async (o: { model: string; file?: string; json: boolean }) => {
    await tokenizeCommand({ model: o.model, json: o.json, ...(o.file === undefined ? {} : { file: o.file }) });
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`infermesh: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
