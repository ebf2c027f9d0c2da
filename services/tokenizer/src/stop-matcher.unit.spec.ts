import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { StopMatcher } from './stop-matcher.js';

/** Feeds pieces until a stop; returns the emitted text and the match. */
function run(stops: string[], pieces: string[]): { text: string; matched: string | undefined } {
  const m = new StopMatcher(stops);
  let text = '';
  for (const p of pieces) {
    const step = m.push(p);
    text += step.text;
    if (step.matched !== undefined) return { text, matched: step.matched };
  }
  return { text: text + m.flush(), matched: undefined };
}

describe('StopMatcher', () => {
  it('finds a stop split across pieces and emits nothing after it', () => {
    expect(run(['</answer>'], ['The ', 'answer</', 'ans', 'wer> trailing'])).toEqual({ text: 'The answer', matched: '</answer>' });
  });

  it('releases held text that turned out not to be a stop', () => {
    const m = new StopMatcher(['STOP']);
    expect(m.push('a ST')).toEqual({ text: 'a ' });
    expect(m.push('OP')).toEqual({ text: '', matched: 'STOP' });
    const n = new StopMatcher(['STOP']);
    expect(n.push('ST')).toEqual({ text: '' });
    expect(n.push('ART')).toEqual({ text: 'START' });
    expect(n.flush()).toBe('');
  });

  it('reports the stop that completes first, whatever the chunking', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 30 }), fc.array(fc.nat(30), { maxLength: 8 }), (text, cuts) => {
      const stops = ['abc', 'bc', 'cab', 'aa'];
      const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((x, y) => x - y);
      const pieces: string[] = [];
      let last = 0;
      for (const p of [...points, text.length]) {
        pieces.push(text.slice(last, p));
        last = p;
      }
      let end = Infinity;
      let want: { text: string; matched: string | undefined } = { text, matched: undefined };
      for (const s of stops.sort((x, y) => y.length - x.length)) {
        const i = text.indexOf(s);
        if (i >= 0 && i + s.length < end) {
          end = i + s.length;
          want = { text: text.slice(0, i), matched: s };
        }
      }
      expect(run(stops, pieces)).toEqual(want);
    }), { numRuns: 300 });
  });

  it('rejects too many or bad stops with INVALID_ARGUMENT', () => {
    expect(() => new StopMatcher([''])).toThrow(expect.objectContaining({ code: 3 }));
    expect(() => new StopMatcher(Array.from({ length: 17 }, (_v, i) => `s${i}`))).toThrow(expect.objectContaining({ code: 3 }));
  });
});
