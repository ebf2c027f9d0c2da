import { readFile } from 'node:fs/promises';
import { defaultCatalogue, TokenizerRegistry, TokenizerService } from '@infermesh/tokenizer';

/** Flags of `infermesh tokenize`. */
export interface TokenizeFlags {
  /** Served model id (see the tokenizer catalogue). */
  model: string;
  /** Read the text from this file; stdin when absent or '-'. */
  file?: string;
  /** Print the ids as a JSON array instead of the count. */
  json: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Tokenizes text with the model's own tokenizer, in-process (no server needed; the same code the
 * tokenizer service runs, BOS included as the service adds it). Prints the count, or the ids
 * with --json. Rejects with the service's error (unknown model: "model ... is not served").
 * The text is read whole, as UTF-8; no context-length check is applied.
 */
export async function tokenizeCommand(flags: TokenizeFlags): Promise<void> {
  const text = flags.file === undefined || flags.file === '-' ? await readStdin() : await readFile(flags.file, 'utf8');
  const service = new TokenizerService(new TokenizerRegistry(defaultCatalogue()));
  if (flags.json) {
    const { tokenIds } = await service.tokenize({ model: flags.model, input: { text }, reserveTokens: 0 }).catch(async (err: unknown) => {
      const counted = await service.count({ model: flags.model, input: { text } });
      if (counted.fitsContext) throw err;
      throw new Error(`text is ${counted.tokenCount} tokens, over the context of ${flags.model} (${counted.contextLength}); --json prints only prompts that fit`);
    });
    process.stdout.write(`${JSON.stringify(tokenIds)}\n`);
  } else {
    const { tokenCount } = await service.count({ model: flags.model, input: { text } });
    process.stdout.write(`${tokenCount}\n`);
  }
}
