import type { Template } from '@huggingface/jinja';

/** Characters for which Python's `str.isspace()` is true (what `strip()` without arguments removes). */
const PY_WHITESPACE = new Set(
  '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000',
);

type Side = 'l' | 'r' | 'both';

/**
 * Python's `str.strip/lstrip/rstrip([chars])`: removes, from the chosen ends, every character in
 * `chars` (code points, any order), or Python's whitespace when `chars` is absent or None.
 */
export function pyStrip(value: unknown, chars: unknown, side: Side): string {
  if (typeof value !== 'string') throw new Error(`strip() applies to strings, not ${value === null ? 'none' : typeof value}`);
  if (chars !== undefined && chars !== null && typeof chars !== 'string') throw new Error('strip arg must be None or str');
  const set = typeof chars === 'string' ? new Set(chars) : PY_WHITESPACE;
  const points = [...value];
  let start = 0;
  let end = points.length;
  if (side !== 'r') while (start < end && set.has(points[start]!)) start++;
  if (side !== 'l') while (end > start && set.has(points[end - 1]!)) end--;
  return start === 0 && end === points.length ? value : points.slice(start, end).join('');
}

const METHODS: Record<string, Side> = { strip: 'both', lstrip: 'l', rstrip: 'r' };
const PREFIX = '__infermesh_py_';

/** The functions that `usePythonStrip` routes calls to; pass them with every render's context. */
export const PYTHON_STRIP_FUNCTIONS: Readonly<Record<string, (value: unknown, chars?: unknown) => string>> = Object.fromEntries(
  Object.entries(METHODS).map(([name, side]) => [PREFIX + name, (value: unknown, chars?: unknown) => pyStrip(value, chars, side)]),
);

interface Node { type?: string; [key: string]: unknown }

/**
 * Rewrites a parsed template so that `x.strip()`, `x.lstrip(chars)` and `x.rstrip(chars)` behave as
 * in Python (and so in transformers' jinja2 rendering): @huggingface/jinja ignores `chars` and trims
 * JavaScript's whitespace, so Qwen3's `content.lstrip('\n')` would also drop leading spaces. Each such
 * call becomes a call of a context function (`PYTHON_STRIP_FUNCTIONS`) on the same receiver; the
 * renderer dispatches on node `type`, so plain nodes serve. Returns the number of calls rewritten.
 */
export function usePythonStrip(template: Template): number {
  let rewritten = 0;
  const seen = new Set<object>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    const n = node as Node;
    for (const value of Object.values(n)) visit(value);
    if (n.type !== 'CallExpression') return;
    const callee = n['callee'] as Node | undefined;
    const args = n['args'] as unknown[] | undefined;
    const property = callee?.['property'] as Node | undefined;
    if (callee?.type !== 'MemberExpression' || callee['computed'] === true || property?.type !== 'Identifier' || args === undefined || args.length > 1) return;
    const name = property['value'];
    if (typeof name !== 'string' || !(name in METHODS)) return;
    n['callee'] = { type: 'Identifier', value: PREFIX + name };
    n['args'] = [callee['object'], ...args];
    rewritten++;
  };
  visit((template as unknown as { parsed: unknown }).parsed);
  return rewritten;
}
