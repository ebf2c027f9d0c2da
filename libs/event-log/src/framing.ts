import { crc32 } from 'node:zlib';

/**
 * On-disk framing of one record: u32 little-endian length of the envelope bytes, u32
 * little-endian CRC-32 (IEEE, as zlib computes it) of those bytes, then the bytes.
 */
export const FRAME_HEADER_BYTES = 8;

/**
 * Largest envelope accepted (4 MiB). Envelopes carry hashes and counts, never text, so a real
 * one is a few hundred bytes; a larger length field is a torn or corrupt header, not a record.
 */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** Result of scanning a buffer of frames. */
export interface FrameScan {
  /** Byte position (relative to the buffer) of each complete, valid frame. */
  positions: number[];
  /** End of the last valid frame; bytes after it are a torn or corrupt tail. */
  validEnd: number;
}

/**
 * Finds the valid frames at the start of `buf`. Stops at the first frame that is incomplete,
 * has a zero or oversized length (a zero-filled tail, as some file systems leave after a crash,
 * would otherwise read as empty records) or fails its CRC.
 */
export function scanFrames(buf: Buffer): FrameScan {
  const positions: number[] = [];
  let pos = 0;
  while (pos + FRAME_HEADER_BYTES <= buf.length) {
    const len = buf.readUInt32LE(pos);
    if (len === 0 || len > MAX_RECORD_BYTES || pos + FRAME_HEADER_BYTES + len > buf.length) break;
    const body = buf.subarray(pos + FRAME_HEADER_BYTES, pos + FRAME_HEADER_BYTES + len);
    if (crc32(body) !== buf.readUInt32LE(pos + 4)) break;
    positions.push(pos);
    pos += FRAME_HEADER_BYTES + len;
  }
  return { positions, validEnd: pos };
}

/**
 * The payload of the frame at `pos` in `buf`, whose extent is already known from a scan.
 * Re-checks the CRC so that bytes damaged on disk after the scan surface as an error.
 */
export function framePayload(buf: Buffer, pos: number): Buffer | undefined {
  const len = buf.readUInt32LE(pos);
  const body = buf.subarray(pos + FRAME_HEADER_BYTES, pos + FRAME_HEADER_BYTES + len);
  return body.length === len && crc32(body) === buf.readUInt32LE(pos + 4) ? body : undefined;
}
