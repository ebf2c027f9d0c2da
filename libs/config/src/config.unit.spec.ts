import { describe, expect, it } from '@jest/globals';
import { envBool, envInt, envPort } from './index.js';

describe('env readers', () => {
  it('parse, default and reject', () => {
    expect(envInt({ A: '12' }, 'A', 1)).toBe(12);
    expect(envInt({}, 'A', 1)).toBe(1);
    expect(() => envInt({ A: '1.5' }, 'A', 1)).toThrow('A must be an integer');
    expect(() => envPort({ P: '70000' }, 'P', 1)).toThrow('P must be an integer in [0, 65535]');
    expect(envBool({ B: 'yes' }, 'B', false)).toBe(true);
    expect(() => envBool({ B: 'maybe' }, 'B', false)).toThrow('boolean');
  });
});
