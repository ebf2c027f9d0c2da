import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The outbox offset below which every record has been acknowledged by Kafka, kept in
 * `<outbox>/kafka-relay.cursor`. Written after each acknowledged batch (write, then rename), so a
 * crash can only move it back: those records are published again (at least once) and consumers
 * drop the repeats by envelope id.
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
