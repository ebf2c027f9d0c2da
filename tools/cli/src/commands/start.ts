import { createLogger } from '@infermesh/telemetry';
import { startClusterMesh } from '../mesh/cluster-mesh.js';
import { startEmbeddedMesh, type EmbeddedMesh } from '../mesh/embedded-mesh.js';
import { meshConfigFromEnv } from '../mesh/mesh-config.js';

/**
 * `infermesh start [--cluster]`: the whole mesh, embedded (one process, file log, PGlite, in-process
 * bus) or as a cluster (a process per service against Kafka, NATS and PostgreSQL). Human-readable
 * endpoints go to stdout, followed by one `INFERMESH_READY {json}` line that scripts and the test
 * harness parse; logs are JSON on stderr.
 */
export async function startCommand(options: { cluster: boolean } = { cluster: false }): Promise<void> {
  const config = meshConfigFromEnv(process.env);
  const logger = createLogger({ service: 'infermesh', level: config.logLevel, destination: process.stderr });
  const env = process.env;
  const external = env['INFERMESH_KAFKA_BROKERS'] && env['INFERMESH_NATS_URL'] && env['INFERMESH_DATABASE_URL']
    ? { kafkaBrokers: env['INFERMESH_KAFKA_BROKERS'].split(','), natsUrl: env['INFERMESH_NATS_URL'], databaseUrl: env['INFERMESH_DATABASE_URL'] }
    : undefined;
  const mesh: EmbeddedMesh = options.cluster
    ? await startClusterMesh(config, logger, external === undefined ? {} : { infra: external })
    : await startEmbeddedMesh(config, logger, (service) => createLogger({ service, level: config.logLevel, destination: process.stderr }));
  const out = process.stdout;
  out.write(`infermesh is up (${options.cluster ? 'cluster' : 'embedded'} profile, ${config.workers} simulated workers)\n`);
  out.write(`  gRPC API           ${mesh.grpcAddress}   (infermesh.inference.v1.Inference)\n`);
  out.write(`  OpenAI HTTP API    http://${mesh.httpAddress}/v1\n`);
  for (const [name, address] of Object.entries(mesh.addresses)) if (name !== 'ingress') out.write(`  ${name.padEnd(19)}${address}\n`);
  out.write(`  event log${options.cluster ? ' outbox' : '       '}   ${mesh.eventLogDir}\n  ledger             ${mesh.ledgerDir}\n`);
  out.write(`  API key (tenant "dev")${config.devApiKeyGenerated ? ', generated; set INFERMESH_DEV_API_KEY to fix it' : ''}:\n    ${config.devApiKey}\n`);
  out.write(`  admin token: ${config.adminToken}\n`);
  out.write(
    `INFERMESH_READY ${JSON.stringify({ grpc: mesh.grpcAddress, http: mesh.httpAddress, addresses: mesh.addresses, eventLogDir: mesh.eventLogDir, ledgerDir: mesh.ledgerDir, pid: process.pid, profile: options.cluster ? 'cluster' : 'embedded' })}\n`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping infermesh');
    const force = setTimeout(() => process.exit(1), options.cluster ? 60_000 : 15_000);
    force.unref();
    void mesh.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
