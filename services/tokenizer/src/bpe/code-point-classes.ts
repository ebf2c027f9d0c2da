import { WHITE_SPACE } from './whitespace.js';

/** `\p{L}`: any letter. */
export const LETTER = 1;
/** `\p{N}`: any number. */
export const NUMBER = 2;
/** `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`: o200k's "upper" class (modifier and other letters and marks are in both). */
export const UPPER = 4;
/** `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`: o200k's "lower" class. */
export const LOWER = 8;
/** Unicode White_Space, tiktoken's `\s` (see whitespace.ts), not JavaScript's. */
export const SPACE = 16;
/** Set on every entry of a filled block, so that 0 means "not looked up yet". */
const KNOWN = 128;

const BLOCK = 8;
let table: Uint8Array | undefined;

/**
 * The class bits of every code point, for the hand-written split scanners: a table over all
 * 0x110000 code points (1.1 MB, shared by the process), filled 256 code points at a time the
 * first time one of them is met, by testing each against the same `u`-flag regular expressions
 * the split patterns use, so the classes are V8's Unicode data exactly (the pattern's own
 * behaviour, by construction). Lone surrogates have no class. Returns the table; read an entry
 * with `classAt`.
 */
export function classTable(): Uint8Array {
  if (table === undefined) {
    table = new Uint8Array(0x110000);
    fillBlock(table, 0);
  }
  return table;
}

/** The class bits of code point `cp` (one of the constants above, or'ed, plus a marker bit). */
export function classAt(t: Uint8Array, cp: number): number {
  const k = t[cp]!;
  return k !== 0 ? k : fillBlock(t, cp >> BLOCK)[cp]!;
}

const TESTS: readonly [RegExp, number][] = [
  [/^\p{L}$/u, LETTER],
  [/^\p{N}$/u, NUMBER],
  [/^[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]$/u, UPPER],
  [/^[\p{Ll}\p{Lm}\p{Lo}\p{M}]$/u, LOWER],
  [new RegExp(`^[${WHITE_SPACE}]$`, 'u'), SPACE],
];

function fillBlock(t: Uint8Array, block: number): Uint8Array {
  const end = (block + 1) << BLOCK;
  for (let cp = block << BLOCK; cp < end; cp++) {
    const s = String.fromCodePoint(cp);
    let k = KNOWN;
    for (const [re, bit] of TESTS) if (re.test(s)) k |= bit;
    t[cp] = k;
  }
  return t;
}
