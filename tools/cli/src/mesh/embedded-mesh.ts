import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TenantDirectory } from '@infermesh/auth';
import { InProcessBus } from '@infermesh/control-bus';
import { FileEventLog, Producer } from '@infermesh/event-log';
import type { RunningService } from '@infermesh/rpc';
import type { Logger } from '@infermesh/telemetry';
import { defaultBillingOptions, startBilling } from '@infermesh/billing';
import { busCancels, defaultIngressOptions, startIngress } from '@infermesh/ingress';
import { defaultKvDirectoryOptions, startKvDirectory } from '@infermesh/kv-directory';
import { defaultSchedulerOptions, startScheduler } from '@infermesh/scheduler';
import { defaultTokenizerOptions, startTokenizer } from '@infermesh/tokenizer';
import { defaultWorkerSupervisorOptions, startWorkerSupervisor } from '@infermesh/worker-supervisor';
import type { MeshConfig } from './mesh-config.js';

/** The running embedded mesh: every service behind its own gRPC server, in this process. */
export interface EmbeddedMesh {
  grpcAddress: string;
  httpAddress: string;
  addresses: Record<string, string>;
  eventLogDir: string;
  ledgerDir: string;
  /** Each service by name, so that tests and operators can stop one alone. */
  services: Record<string, RunningService>;
  stop(): Promise<void>;
}

/**
 * Starts the six services in dependency order on one shared in-process control bus and one
 * file-backed event log. Services still reach each other only through their gRPC addresses; the
 * simulated workers are child processes of the supervisor. Stops in reverse order, ingress first,
 * so in-flight requests drain before what they depend on goes away.
 */
export async function startEmbeddedMesh(config: MeshConfig, logger: Logger, loggerFor: (service: string) => Logger = (service) => logger.child({ mesh_service: service })): Promise<EmbeddedMesh> {
  const eventLogDir = join(config.dataDir, 'events');
  const ledgerDir = join(config.dataDir, 'ledger');
  await mkdir(config.dataDir, { recursive: true });
  const started: RunningService[] = [];
  const bus = new InProcessBus((err, subject) => logger.error({ err, subject }, 'control-bus handler failed'));
  const log = await FileEventLog.open(eventLogDir);
  const producer = await Producer.open(log, 'ingress/embedded');
  const fleetEvents = await Producer.open(log, 'worker-supervisor/embedded');

  const tenants = new TenantDirectory();
  tenants.addKey('dev', config.devApiKey);
  for (const { tenantId, apiKey } of config.extraKeys) tenants.addKey(tenantId, apiKey);

  const stopAll = async () => {
    for (const s of started.reverse()) {
      await s.stop(5000).catch((err: unknown) => logger.error({ err, service: s.name }, 'stop failed'));
    }
    await producer.close().catch(() => undefined);
    await fleetEvents.close().catch(() => undefined);
    await log.close();
    await bus.close();
  };

  try {
    const host = config.host;
    const child = loggerFor;
    const tokenizer = await startTokenizer({ ...defaultTokenizerOptions(), host, port: config.internalPorts.tokenizer }, { logger: child('tokenizer') });
    started.push(tokenizer);
    const kv = await startKvDirectory({ ...defaultKvDirectoryOptions(), host, port: config.internalPorts.kvDirectory }, { bus, logger: child('kv-directory') });
    started.push(kv);
    const supervisor = await startWorkerSupervisor(
      { ...defaultWorkerSupervisorOptions(), host, port: config.internalPorts.supervisor, workers: config.workers, maxNumSeqs: config.maxNumSeqs, workerLogLevel: config.logLevel },
      { bus, events: fleetEvents, logger: child('worker-supervisor') },
    );
    started.push(supervisor);
    const scheduler = await startScheduler(
      { ...defaultSchedulerOptions(), host, port: config.internalPorts.scheduler, kvDirectoryAddress: kv.address, supervisorAddress: supervisor.address, queueCapacity: config.queueCapacity, policy: config.schedulerPolicy },
      { bus, logger: child('scheduler') },
    );
    started.push(scheduler);
    const billing = await startBilling(
      { ...defaultBillingOptions(), host, port: config.internalPorts.billing, dataDir: ledgerDir, adminToken: config.adminToken },
      { log, logger: child('billing'), authenticate: (header: string | undefined) => tenants.authenticateHeader(header) },
    );
    started.push(billing);
    const ingress = await startIngress(
      { ...defaultIngressOptions(), host, grpcPort: config.grpcPort, httpPort: config.httpPort, tokenizerAddress: tokenizer.address, schedulerAddress: scheduler.address },
      { events: producer, cancels: busCancels(bus), tenants, logger: child('ingress') },
    );
    started.push(ingress);
    return {
      grpcAddress: ingress.address,
      httpAddress: ingress.httpAddress,
      addresses: { tokenizer: tokenizer.address, 'kv-directory': kv.address, 'worker-supervisor': supervisor.address, scheduler: scheduler.address, billing: billing.address, ingress: ingress.address },
      eventLogDir,
      ledgerDir,
      services: Object.fromEntries(started.map((s) => [s.name, s])),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
