import { buildCorpus, GptTokenizerBackend, toWellFormed } from '@infermesh/tokenizer';

// A driver for `node --cpu-prof tools/bench/dist/tokenizer/profile-cold.js [o200k_base|cl100k_base] [passes]`:
// the service's OpenAI encoder with its piece cache off, encoding the benchmark corpus over and
// over, so a CPU profile shows where cold (never seen) text spends its time. Prints ms per pass.

const encoding = (process.argv[2] ?? 'o200k_base') as 'o200k_base' | 'cl100k_base';
const passes = Number(process.argv[3] ?? 30);
const texts = buildCorpus().map((e) => toWellFormed(e.text));
const bytes = texts.reduce((a, t) => a + Buffer.byteLength(t, 'utf8'), 0);
const backend = await GptTokenizerBackend.load(encoding, encoding === 'o200k_base' ? 199998 : 100256, 0);
let tokens = 0;
const times: number[] = [];
for (let p = 0; p < passes; p++) {
  const t0 = performance.now();
  for (const t of texts) tokens += backend.encodeText(t).length;
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const median = times[times.length >> 1]!;
console.log(`${encoding}: ${passes} passes, median ${median.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms, ${(bytes / 1e6 / (median / 1000)).toFixed(2)} MB/s, ${tokens / passes} tokens/pass`);
