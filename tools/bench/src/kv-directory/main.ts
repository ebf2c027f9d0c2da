import os from 'node:os';
import { runMatchLatency, type MatchScenario } from './latency.js';
import { measureMemory, memoryChild, CHILD_HEAP_MB } from './memory.js';
import { buildStream, runThroughput, type FleetShape } from './throughput.js';
import { IMPLEMENTATIONS } from './workload.js';

// The kv-directory benchmark: `node tools/bench/dist/kv-directory/main.js [--quick] [--no-10m]`.
// Prints markdown tables; docs/benchmarks/kv-directory.md holds a recorded run. The baseline
// (the Map-based BitsetKvIndex) runs in the same process on the same workload, so ratios hold
// even on a busy machine; absolute numbers do not.

const args = process.argv.slice(2);
if (args[0] === '--memory-child') {
  memoryChild(args[1]!, Number(args[2]));
  process.exit(0);
}
const quick = args.includes('--quick');
const skip10m = args.includes('--no-10m') || quick;
const impls = Object.entries(IMPLEMENTATIONS);
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log(`# kv-directory benchmark — node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, load ${os.loadavg().map((l) => l.toFixed(1)).join('/')}${quick ? ' (quick)' : ''}\n`);

const shapes: FleetShape[] = [
  { label: '64 workers, 1 model', workers: 64, models: 1, prefill: quick ? 100_000 : 1_000_000, events: quick ? 20_000 : 200_000, lookups: quick ? 2_000 : 20_000, lookupBlocks: 128 },
  { label: '4096 workers, 16 models, Match names 64 candidates', workers: 4096, models: 16, prefill: quick ? 50_000 : 250_000, events: quick ? 20_000 : 200_000, lookups: quick ? 2_000 : 20_000, lookupBlocks: 128, candidates: 64 },
  { label: '4096 workers, 16 models, Match over all holders', workers: 4096, models: 16, prefill: quick ? 50_000 : 250_000, events: quick ? 20_000 : 200_000, lookups: quick ? 2_000 : 20_000, lookupBlocks: 128 },
];
console.log('## Throughput, one core (events of 16 blocks through EventApplier, plus one 128-block Match per 10 events)\n');
console.log('| fleet | index | ops/s | events/s | blocks/s | lookups/s | vs baseline |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const shape of shapes) {
  const stream = buildStream(shape, 7);
  let base = 0;
  for (const [name, make] of impls) {
    const r = runThroughput(make, shape, stream, 11);
    if (base === 0) base = r.opsPerS;
    console.log(`| ${shape.label} (prefill ${fmt(shape.prefill)}) | ${name} | ${fmt(r.opsPerS)} | ${fmt(r.eventsPerS)} | ${fmt(r.blocksPerS)} | ${fmt(r.lookupsPerS)} | ${(r.opsPerS / base).toFixed(2)}x |`);
  }
}

const scenarios: MatchScenario[] = [
  { label: 'mixed sharing', setup: 'mixed' },
  { label: 'all 64 hold the whole prompt (worst case)', setup: 'all-full' },
];
console.log('\n## Match latency, 512-block prompt, 64 workers\n');
console.log('| scenario | index | p50 µs | p99 µs | max µs | p50 vs baseline |');
console.log('|---|---|---:|---:|---:|---:|');
for (const scenario of scenarios) {
  let base = 0;
  for (const [name, make] of impls) {
    const r = runMatchLatency(make, scenario, quick ? 2_000 : 20_000, 3);
    if (base === 0) base = r.p50Us;
    console.log(`| ${scenario.label} | ${name} | ${fmt(r.p50Us, 1)} | ${fmt(r.p99Us, 1)} | ${fmt(r.maxUs, 1)} | ${(base / r.p50Us).toFixed(2)}x faster |`);
  }
}

console.log(`\n## Memory per indexed block (64 workers, 1.5 holders per block; child process, --max-old-space-size=${CHILD_HEAP_MB})\n`);
console.log('| blocks | index | heap+external B/block | RSS B/block | fill s |');
console.log('|---:|---|---:|---:|---:|');
for (const blocks of [quick ? 100_000 : 1_000_000, ...(skip10m ? [] : [10_000_000])]) {
  for (const [name] of impls) {
    const r = measureMemory(name, blocks);
    if ('error' in r) console.log(`| ${fmt(blocks)} | ${name} | failed: ${r.error.replace(/\n/g, ' ')} | | |`);
    else console.log(`| ${fmt(blocks)} | ${name} | ${fmt(r.bytesPerBlock, 1)} | ${fmt(r.rssPerBlock, 1)} | ${fmt(r.fillSeconds, 1)} |`);
  }
}
