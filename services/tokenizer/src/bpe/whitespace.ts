/**
 * Unicode White_Space as Rust's regex `\s` (tiktoken) and Oniguruma's `\s` (Hugging Face
 * `tokenizers` Split patterns) match it. JavaScript's `\s`
 * differs in two code points: it also matches U+FEFF and does not match U+0085, so
 * split patterns run as they ship give other ids than the reference tokenizers for text with
 * a BOM or a NEL (the parity corpus has both). The body of a character class (no brackets).
 */
export const WHITE_SPACE = String.raw`\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`;

/** The pattern with every `\s` / `\S` replaced by tiktoken's White_Space set; the flags are kept. */
export function withTiktokenWhitespace(pattern: RegExp): RegExp {
  const src = pattern.source;
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const next = src[i + 1] ?? '';
      i++;
      if (next === 's') out += inClass ? WHITE_SPACE : `[${WHITE_SPACE}]`;
      else if (next === 'S' && !inClass) out += `[^${WHITE_SPACE}]`;
      else if (next === 'S') throw new Error('\\S inside a character class is not supported');
      else out += c + next;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += c;
  }
  return new RegExp(out, pattern.flags);
}

