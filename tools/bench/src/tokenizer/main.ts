import os from 'node:os';
import { buildCorpus, DEFAULT_PIECE_CACHE, defaultCatalogue, toWellFormed, TokenizerRegistry } from '@infermesh/tokenizer';
import { createLogger } from '@infermesh/telemetry';
import { buildGroups, type Group } from './encoders.js';
import { runE2e, type E2eResult, type E2eVariant } from './grpc.js';
import { buildPromptPool, tokenStats } from './prompts.js';
import { pythonOrError, PythonEncoder } from './python.js';
import { fmt } from './stats.js';
import { timeGroup, toRows } from './throughput.js';

// The tokenizer benchmark: `node tools/bench/dist/tokenizer/main.js [--quick] [--no-python]
// [--no-e2e] [--only=llama-3.1-8b-instruct,o200k_base]`. Prints markdown; docs/benchmarks/tokenizer.md
// holds a recorded run. All implementations encode the same corpus (buildCorpus of
// @infermesh/tokenizer, lone surrogates made well-formed first) in the same run, so the ratios
// hold on a busy machine even where the absolute numbers do not.

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg === undefined ? undefined : new Set(onlyArg.slice('--only='.length).split(','));

console.log(`# tokenizer benchmark: node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, load ${os.loadavg().map((l) => l.toFixed(1)).join('/')}${quick ? ' (quick)' : ''}\n`);

const corpus = buildCorpus();
const texts = corpus.map((e) => toWellFormed(e.text));
const bytes = texts.reduce((a, t) => a + Buffer.byteLength(t, 'utf8'), 0);
const registry = new TokenizerRegistry(defaultCatalogue());
const groups = await buildGroups(registry, only);

const python = args.includes('--no-python') ? new Error('--no-python') : pythonOrError();
if (python instanceof Error) console.log(`Python references skipped: ${python.message}\n`);
/** Timed passes per implementation: the OpenAI groups hold the slow (multi-second) passes. */
const repsOf = (g: Group): number => (quick ? 2 : g.python?.model.kind === 'hf' ? 8 : 4);
console.log(`## Encode throughput, one core: ${texts.length} corpus entries, ${fmt(bytes / 1e6, 3)} MB UTF-8 per pass, 1 untimed + ${quick ? 2 : '8 (Hugging Face models) or 4 (OpenAI encodings)'} timed passes per implementation; passes interleaved across implementations, Python included\n`);
console.log('Throughput from the median pass. "counts ≠" = corpus entries whose token count differs from the service core\'s.\n');
console.log('| tokenizer | implementation | MB/s | tokens/s | pass ms p50 | p90 | max | vs fastest | counts ≠ |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
const splits: string[] = [];
let py: PythonEncoder | undefined;
if (!(python instanceof Error)) py = await PythonEncoder.start(python, texts, groups.flatMap((g) => (g.python === undefined ? [] : [g.python.model])));
for (const group of groups) {
  const results = await timeGroup(group, texts, repsOf(group), py);
  const rows = toRows(results, bytes);
  const best = Math.max(...rows.map((r) => r.mbPerS));
  for (const r of rows) {
    const ratio = r.mbPerS === best ? '**1.00x**' : `${(r.mbPerS / best).toFixed(2)}x`;
    if (r.split !== undefined) splits.push(`| ${group.label} | ${r.name} | ${fmt(r.split.feffMs, 0)} | ${fmt(r.split.otherMs, 0)} |`);
    console.log(`| ${group.label} | ${r.name} | ${fmt(r.mbPerS, 2)} | ${fmt(r.tokensPerS)} | ${fmt(r.pass.p50 / 1000, 1)} | ${fmt(r.pass.p90 / 1000, 1)} | ${fmt(r.pass.max / 1000, 1)} | ${ratio} | ${r.countMismatches} |`);
  }
}

if (py !== undefined) {
  console.log(`\nPython ${py.versions.python ?? '?'}, tokenizers ${py.versions.tokenizers ?? '?'}, tiktoken ${py.versions.tiktoken ?? '?'} (only the encode loop timed, inside Python, one thread).`);
  py.close();
}
const feffEntries = texts.filter((t) => t.includes('\ufeff'));
console.log(`\n### Where the time goes: first pass, ms on the ${feffEntries.length} entries containing U+FEFF (${fmt(feffEntries.reduce((a, t) => a + Buffer.byteLength(t), 0) / 1e6, 3)} MB, incl. the 3 long documents) vs the other ${texts.length - feffEntries.length}\n`);
console.log('| tokenizer | implementation | ms, U+FEFF entries | ms, other entries |');
console.log('|---|---|---:|---:|');
for (const line of splits) console.log(line);

if (!args.includes('--no-e2e')) {
  const seconds = quick ? 1.5 : 4;
  const e2eModels = ['llama-3.1-8b-instruct', 'gpt-oss-20b'].filter((m) => only === undefined || only.has(m) || only.has('e2e'));
  const logger = createLogger({ service: 'bench-tokenizer', level: 'warn' });
  const concurrency = [1, 8, 64];
  const perCell = quick ? 150 : 800;
  const results: E2eResult[] = [];
  const pools: string[] = [];
  for (const model of e2eModels) {
    const t0 = performance.now();
    const pool = await buildPromptPool(model, corpus, 8192, 8 + perCell * concurrency.length);
    const s = tokenStats(pool.prompts);
    pools.push(`${model}: ${fmt(pool.prompts.length)} prompts of ${fmt(s.min)}-${fmt(s.max)} tokens (mean ${fmt(s.mean)}) from ${fmt(pool.paragraphs.length)} distinct corpus lines, built in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    const cached = model.startsWith('gpt-oss') ? 'pure JS (ByteRankBpe)' : 'pure JS';
    const variants: E2eVariant[] = [
      { label: `${cached}, piece cache on`, hfEncoder: 'js', pieceCacheSize: DEFAULT_PIECE_CACHE, modes: ['distinct', 'repeated'] },
      { label: `${cached}, piece cache off`, hfEncoder: 'js', pieceCacheSize: 0, modes: ['distinct'] },
    ];
    // The native binding: the service's Hugging Face encoder before the pure-JS one.
    if (!model.startsWith('gpt-oss')) variants.push({ label: 'native binding', hfEncoder: 'native', pieceCacheSize: DEFAULT_PIECE_CACHE, modes: ['distinct', 'repeated'] });
    for (const variant of variants) results.push(...(await runE2e({ pool, variant, concurrency, seconds, logger })));
  }
  console.log(`\n## End to end over gRPC: Tokenize of 8K-token prompts, closed loop (server and client in this process)\n`);
  console.log(`Distinct: every request a prompt this server has never been sent (random corpus lines; a cell ends after ${seconds} s or ${perCell} requests). Repeated: one prompt, ${seconds} s per cell, after the distinct cells on the same server.\n`);
  for (const line of pools) console.log(`- ${line}`);
  for (const mode of ['distinct', 'repeated'] as const) {
    console.log(`\n### ${mode === 'distinct' ? 'Distinct prompts (no prompt repeated)' : 'Repeated prompt (one prompt over and over: every piece cached after the first request)'}\n`);
    console.log('| model | encoder | concurrency | requests | s | req/s | tokens/s | p50 ms | p99 ms | max ms |');
    console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of results.filter((x) => x.mode === mode)) {
      const rps = r.requests / r.seconds;
      console.log(`| ${r.model} | ${r.variant} | ${r.concurrency} | ${fmt(r.requests)} | ${fmt(r.seconds, 1)} | ${fmt(rps, 1)} | ${fmt(r.tokens / r.seconds)} | ${fmt(r.latency.p50 / 1000, 1)} | ${fmt(r.latency.p99 / 1000, 1)} | ${fmt(r.latency.max / 1000, 1)} |`);
    }
  }
}
console.log(`\nload at the end: ${os.loadavg().map((l) => l.toFixed(1)).join('/')}`);
