import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The relay's local copy of its cursor (the outbox offset below which every record is committed
 * in Kafka), kept in `<outbox>/kafka-relay.cursor`. Kafka's copy, committed in the same
 * transaction as each batch, is the authority; this file is written after each commit (write,
 * then rename) and serves as the starting point before Kafka is reachable (for `pendingCount`
 * and flush) and as a fallback if the cursor topic were lost. A crash can only leave it behind
 * Kafka's copy, never ahead; the relay takes the larger of the two.
 */
export class RelayCursor {
  private constructor(
    private readonly file: string,
    private value: bigint,
  ) {}

  static async open(dir: string): Promise<RelayCursor> {
    const file = join(dir, 'kafka-relay.cursor');
    let value = 0n;
    try {
      value = BigInt((await readFile(file, 'utf8')).trim());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return new RelayCursor(file, value);
  }

  get(): bigint {
    return this.value;
  }

  async set(value: bigint): Promise<void> {
    await writeFile(`${this.file}.tmp`, `${value}\n`);
    await rename(`${this.file}.tmp`, this.file);
    this.value = value;
  }
}
