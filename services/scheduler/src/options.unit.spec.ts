import { describe, expect, it } from '@jest/globals';
import { InProcessBus } from '@infermesh/control-bus';
import { Code } from '@infermesh/errors';
import { createLogger } from '@infermesh/telemetry';
import { defaultSchedulerOptions, startScheduler, validateSchedulerOptions } from './index.js';

const logger = createLogger({ service: 'scheduler-options', level: 'silent' });

describe('scheduler policy option', () => {
  it('defaults to cache-aware and accepts every policy a real fleet can serve', () => {
    expect(defaultSchedulerOptions().policy).toBe('cache-aware');
    expect(defaultSchedulerOptions().weights).toBeUndefined();
    for (const policy of ['cache-aware', 'least-load', 'round-robin', 'random']) {
      expect(validateSchedulerOptions({ ...defaultSchedulerOptions(), policy }).policy).toBe(policy);
    }
  });

  it('rejects an unknown policy and the simulator-only oracle as INVALID_ARGUMENT naming the option', () => {
    for (const policy of ['nope', 'oracle', '', 'toString']) {
      expect(() => validateSchedulerOptions({ ...defaultSchedulerOptions(), policy })).toThrow(expect.objectContaining({ code: Code.InvalidArgument }));
    }
    expect(() => validateSchedulerOptions({ ...defaultSchedulerOptions(), policy: 'nope' })).toThrow('policy must be one of random, round-robin, least-load, cache-aware, got "nope"');
  });

  it('fails start-up with INVALID_ARGUMENT for a bad policy or weight, before opening anything', async () => {
    const bus = new InProcessBus();
    const start = (o: Partial<ReturnType<typeof defaultSchedulerOptions>>) => startScheduler({ ...defaultSchedulerOptions(), port: 0, ...o }, { bus, logger });
    await expect(start({ policy: 'fastest' })).rejects.toMatchObject({ code: Code.InvalidArgument });
    await expect(start({ policy: 'least-load', weights: { 'no-such-scorer': 1 } })).rejects.toMatchObject({ code: Code.InvalidArgument });
    await expect(start({ weights: { load: -1 } })).rejects.toMatchObject({ code: Code.InvalidArgument });
    await bus.close();
  });
});
