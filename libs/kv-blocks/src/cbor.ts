/**
 * The few CBOR (RFC 8949) items the block hash needs, encoded by hand: unsigned integers, byte
 * strings, text strings, arrays and null, always with the shortest head, which is what canonical
 * encoders (Python's cbor2 with canonical=True, Go's fxamacker/cbor Core Deterministic) emit for
 * these types. Internal to this package.
 */

// Unsigned integers (major type 0, so an initial byte of just the argument or 24-26) are written inline by cborBlock.
const BYTES = 2;
const TEXT = 3;
const ARRAY = 4;
const NULL = 0xf6;

/** Bytes of the head of an item of major type `major` and argument `n` (0 <= n < 2^32). */
function headSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

function writeHead(buf: Buffer, at: number, major: number, n: number): number {
  const m = major << 5;
  if (n < 24) {
    buf[at] = m | n;
    return at + 1;
  }
  if (n < 0x100) {
    buf[at] = m | 24;
    buf[at + 1] = n;
    return at + 2;
  }
  if (n < 0x10000) {
    buf[at] = m | 25;
    buf.writeUInt16BE(n, at + 1);
    return at + 3;
  }
  buf[at] = m | 26;
  buf.writeUInt32BE(n, at + 1);
  return at + 5;
}

/** CBOR of [domain, salt]: the root preimage. */
export function cborRoot(domain: string, salt: string): Buffer {
  const d = Buffer.from(domain, 'utf8');
  const s = Buffer.from(salt, 'utf8');
  const buf = Buffer.allocUnsafe(1 + headSize(d.length) + d.length + headSize(s.length) + s.length);
  let at = writeHead(buf, 0, ARRAY, 2);
  at = writeHead(buf, at, TEXT, d.length);
  at += d.copy(buf, at);
  at = writeHead(buf, at, TEXT, s.length);
  s.copy(buf, at);
  return buf;
}

/** CBOR of an array of text strings (the extra keys). */
export function cborTextArray(items: readonly string[]): Buffer {
  const parts = items.map((x) => Buffer.from(x, 'utf8'));
  const size = headSize(parts.length) + parts.reduce((n, p) => n + headSize(p.length) + p.length, 0);
  const buf = Buffer.allocUnsafe(size);
  let at = writeHead(buf, 0, ARRAY, parts.length);
  for (const p of parts) {
    at = writeHead(buf, at, TEXT, p.length);
    at += p.copy(buf, at);
  }
  return buf;
}

/** Reused encoding buffer: a block's preimage is hashed synchronously, so one scratch suffices. */
let scratch = Buffer.allocUnsafe(1024);
/** `views[n]` is `scratch.subarray(0, n)`, made once per length instead of once per block. */
let views: Buffer[] = [];

/**
 * CBOR of [parent, [tokens...], extra] for one block; `extra` is already-encoded CBOR, or
 * undefined for null. Throws RangeError for a token id outside [0, 2^32). The result is a view of
 * a shared scratch buffer, valid only until the next call: hash it at once, never keep it. A
 * string `parent` is a binary (latin1) string, one char per byte.
 */
export function cborBlock(parent: Uint8Array | string, tokens: ArrayLike<number>, start: number, blockSize: number, extra: Buffer | undefined): Buffer {
  const max = 1 + 2 + parent.length + 5 + 5 * blockSize + (extra?.length ?? 1);
  if (scratch.length < max) {
    scratch = Buffer.allocUnsafe(max);
    views = [];
  }
  const buf = scratch;
  let at = writeHead(buf, 0, ARRAY, 3);
  at = writeHead(buf, at, BYTES, parent.length);
  // A 32-char parent is copied by char code: cheaper than a native Buffer.write call for so few bytes.
  if (typeof parent === 'string') for (let i = 0; i < parent.length; i++) buf[at + i] = parent.charCodeAt(i);
  else buf.set(parent, at);
  at += parent.length;
  at = writeHead(buf, at, ARRAY, blockSize);
  for (let i = start, end = start + blockSize; i < end; i++) {
    const t = tokens[i]!;
    if (t < 24 && t >= 0 && (t | 0) === t) {
      buf[at++] = t;
    } else if (t < 0x100 && t >= 0 && (t | 0) === t) {
      buf[at++] = 24;
      buf[at++] = t;
    } else if (t < 0x10000 && t >= 0 && (t | 0) === t) {
      buf[at++] = 25;
      buf[at++] = t >>> 8;
      buf[at++] = t & 0xff;
    } else if (Number.isInteger(t) && t >= 0 && t <= 0xffff_ffff) {
      buf[at++] = 26;
      buf[at++] = t >>> 24;
      buf[at++] = (t >>> 16) & 0xff;
      buf[at++] = (t >>> 8) & 0xff;
      buf[at++] = t & 0xff;
    } else {
      throw new RangeError(`token id must be an integer in [0, 2^32), got ${t}`);
    }
  }
  if (extra === undefined) buf[at++] = NULL;
  else at += extra.copy(buf, at);
  return (views[at] ??= buf.subarray(0, at));
}
