import { describe, expect, it } from '@jest/globals';
import { InProcessBus, subjectMatches } from './index.js';

describe('subjectMatches', () => {
  it('follows NATS wildcard rules', () => {
    expect(subjectMatches('a.b.c', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.*.c', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.*', 'a.b.c')).toBe(false);
    expect(subjectMatches('a.>', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.>', 'a')).toBe(false);
    expect(subjectMatches('a.b', 'a.c')).toBe(false);
  });
});

describe('InProcessBus', () => {
  it('delivers to matching subscribers only and isolates a throwing handler', () => {
    const errors: string[] = [];
    const bus = new InProcessBus((_err, subject) => errors.push(subject));
    const got: string[] = [];
    bus.subscribe('x.*', () => {
      throw new Error('boom');
    });
    const sub = bus.subscribe('x.*', (data, subject) => got.push(`${subject}:${data.length}`));
    bus.subscribe('y', (_d, subject) => got.push(subject));
    bus.publish('x.1', new Uint8Array(3));
    sub.unsubscribe();
    bus.publish('x.2', new Uint8Array(1));
    expect(got).toEqual(['x.1:3']);
    expect(errors).toEqual(['x.1', 'x.2']);
  });
});
