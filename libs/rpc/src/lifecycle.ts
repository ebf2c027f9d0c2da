import type { Logger } from '@infermesh/telemetry';
import type { RunningService } from './types.js';

/**
 * Stops `service` on SIGTERM or SIGINT (once), then runs `afterStop` (closing what the entry point
 * opened: a bus, a log), then exits. A second signal, or a stop that outlasts `forceAfterMs`,
 * exits at once with status 1. For entry points (main.ts) only.
 */
export function stopOnSignals(service: RunningService, logger: Logger, afterStop: () => Promise<void> = async () => {}, forceAfterMs = 15_000): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, `${service.name}: second signal, exiting now`);
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, `${service.name} stopping`);
    setTimeout(() => {
      logger.error({ forceAfterMs }, `${service.name} did not stop in time`);
      process.exit(1);
    }, forceAfterMs).unref();
    service
      .stop()
      .then(afterStop)
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, `${service.name} stop failed`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
