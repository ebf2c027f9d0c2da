import { randomUUID } from 'node:crypto';
import { open, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MeshError, Code } from '@infermesh/errors';

const ID_FILE = 'kafka-outbox.id';

/**
 * The stable identity of an outbox directory (a UUID in `<outbox>/kafka-outbox.id`, created on
 * first open, fsync'ed). It names the outbox's Kafka transactional id and its key in the cursor
 * topic, so it must follow the outbox's offset space exactly: a restarted relay on the same
 * directory fences its previous incarnation and resumes from the cursor committed under this id,
 * while a new (empty) directory gets a new id and starts at offset 0. Copying the id file into a
 * different outbox is the one way to break that; the relay then refuses a cursor past the end.
 * DATA_LOSS when the file exists but does not hold a UUID.
 */
export async function outboxIdentity(dir: string): Promise<string> {
  const file = join(dir, ID_FILE);
  try {
    const id = (await readFile(file, 'utf8')).trim();
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new MeshError(Code.DataLoss, `${file} does not hold an outbox id`);
    return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = randomUUID();
  const tmp = `${file}.tmp`;
  await writeFile(tmp, `${id}\n`);
  const fh = await open(tmp, 'r');
  await fh.sync().finally(() => fh.close());
  await rename(tmp, file);
  const d = await open(dir, 'r');
  await d.sync().finally(() => d.close());
  return id;
}
