import { describe, expect, it } from '@jest/globals';
import { Template } from '@huggingface/jinja';
import { PYTHON_STRIP_FUNCTIONS, pyStrip, usePythonStrip } from './python-strings.js';

describe('pyStrip (Python str.strip/lstrip/rstrip)', () => {
  it('removes only the given characters, from the chosen ends', () => {
    expect(pyStrip('\n\n  spaced\n', '\n', 'l')).toBe('  spaced\n');
    expect(pyStrip('\n\n  spaced\n', '\n', 'r')).toBe('\n\n  spaced');
    expect(pyStrip('xyxabcyx', 'xy', 'both')).toBe('abc');
    expect(pyStrip('aaa', 'a', 'both')).toBe('');
  });

  it("removes Python's whitespace without chars: U+0085 and U+001F yes, U+FEFF no", () => {
    expect(pyStrip('\x85\x1f text \u3000', undefined, 'both')).toBe('text');
    expect(pyStrip('\ufeff text', null, 'l')).toBe('\ufeff text');
  });

  it('treats chars as code points (an emoji is one character)', () => {
    expect(pyStrip('😀😀a😀', '😀', 'both')).toBe('a');
  });

  it('refuses a receiver that is not a string', () => {
    expect(() => pyStrip(3, undefined, 'both')).toThrow('strip() applies to strings');
  });
});

describe('usePythonStrip', () => {
  it('makes a template strip as transformers renders it', () => {
    const source = "{{ a.lstrip('\\n') }}|{{ b.strip() }}|{{ c.split('</think>')[0].rstrip('\\n') }}|{{ d.upper() }}";
    const items = { a: '\n  spaced', b: '\x85 b \ufeff', c: 'keep  \n\n</think>tail', d: 'x' };
    const stock = new Template(source).render(items);
    expect(stock).toBe('spaced|\x85 b|keep|X'); // the renderer's own strip ignores chars, trims U+FEFF, keeps U+0085

    const fixed = new Template(source);
    expect(usePythonStrip(fixed)).toBe(3);
    expect(fixed.render({ ...PYTHON_STRIP_FUNCTIONS, ...items })).toBe('  spaced|b \ufeff|keep  |X');
  });
});
