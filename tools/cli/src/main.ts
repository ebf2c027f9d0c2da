#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { generateCommand } from './commands/generate.js';
import { replayCommand } from './commands/replay.js';
import { replayKafkaCommand } from './commands/replay-kafka.js';
import { startCommand } from './commands/start.js';
import { tokenizeCommand } from './commands/tokenize.js';
import { usageExportCommand } from './commands/usage.js';

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

const program = new Command('infermesh').description('infermesh: the LLM-inference serving control plane');

program
  .command('start')
  .description('run the whole mesh: embedded in one process, or --cluster as a process per service against Kafka, NATS and PostgreSQL (configured by INFERMESH_* environment variables)')
  .option('--cluster', 'one process per service against real brokers (started here unless INFERMESH_KAFKA_BROKERS, INFERMESH_NATS_URL and INFERMESH_DATABASE_URL name them)', false)
  .action(async (o: { cluster: boolean }) => {
    await startCommand({ cluster: o.cluster });
  });

program
  .command('generate')
  .description('send one streamed generation request to the gRPC API')
  .requiredOption('-m, --model <model>', 'served model id')
  .requiredOption('-p, --prompt <text>', 'prompt text')
  .option('--chat', 'send the prompt as a user chat message (the chat template applies)', false)
  .option('--max-tokens <n>', 'output token limit', positiveInt)
  .option('-a, --address <host:port>', 'ingress gRPC address', process.env['INFERMESH_GRPC_ADDRESS'] ?? '127.0.0.1:50051')
  .option('-k, --api-key <key>', 'API key (default: INFERMESH_API_KEY)')
  .option('--json', 'print every stream message as a JSON line', false)
  .action(async (o: { model: string; prompt: string; chat: boolean; maxTokens?: number; address: string; apiKey?: string; json: boolean }) => {
    // The key's fallback is read here, not as an option default, so `--help` never prints it.
    await generateCommand({ address: o.address, model: o.model, prompt: o.prompt, chat: o.chat, apiKey: o.apiKey ?? process.env['INFERMESH_API_KEY'], json: o.json, ...(o.maxTokens === undefined ? {} : { maxTokens: o.maxTokens }) });
  });

program
  .command('replay')
  .description('verify the event log and rebuild the billing ledger from it; compare with the live ledger')
  .option('-l, --log <dir>', 'event log directory', '.infermesh/events')
  .option('--kafka <brokers>', 'audit the Kafka topics instead of a log directory (comma-separated host:port; cluster profile)')
  .option('-b, --billing <host:port>', 'live billing service to compare with')
  .option('-t, --admin-token <token>', 'admin token of the billing service (default: INFERMESH_ADMIN_TOKEN)')
  .option('--wait-ms <ms>', 'how long to wait for billing to catch up with the log', positiveInt, 10_000)
  .action(async (o: { log: string; kafka?: string; billing?: string; adminToken?: string; waitMs: number }) => {
    const adminToken = o.adminToken ?? process.env['INFERMESH_ADMIN_TOKEN'];
    if (o.kafka !== undefined) {
      process.exitCode = await replayKafkaCommand({ brokers: o.kafka.split(','), waitMs: o.waitMs, ...(o.billing === undefined ? {} : { billing: o.billing }), ...(adminToken === undefined ? {} : { adminToken }) });
      return;
    }
    process.exitCode = await replayCommand({ log: o.log, waitMs: o.waitMs, ...(o.billing === undefined ? {} : { billing: o.billing }), ...(adminToken === undefined ? {} : { adminToken }) });
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

program
  .command('usage')
  .description("a tenant's usage from the billing ledger")
  .command('export')
  .description("write the tenant's ledger lines as CSV (header row; stdout unless --out)")
  .option('-k, --tenant-key <key>', "the tenant's API key (default: INFERMESH_API_KEY)")
  .option('--from <iso>', 'start of the time-of-use window, inclusive (ISO 8601, e.g. 2026-03-01 or 2026-03-01T00:00:00Z)')
  .option('--to <iso>', 'end of the window, exclusive (ISO 8601)')
  .option('-o, --out <file>', 'write the CSV to this file instead of stdout')
  .option('-a, --address <host:port>', 'billing gRPC address (default: INFERMESH_BILLING_ADDRESS)', process.env['INFERMESH_BILLING_ADDRESS'])
  .action(async (o: { tenantKey?: string; from?: string; to?: string; out?: string; address?: string }) => {
    process.exitCode = await usageExportCommand({ tenantKey: o.tenantKey ?? process.env['INFERMESH_API_KEY'] ?? '', address: o.address ?? '', ...(o.from === undefined ? {} : { from: o.from }), ...(o.to === undefined ? {} : { to: o.to }), ...(o.out === undefined ? {} : { out: o.out }) });
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`infermesh: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
