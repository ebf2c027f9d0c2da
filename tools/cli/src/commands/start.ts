import { createLogger } from '@infermesh/telemetry';
import { startEmbeddedMesh } from '../mesh/embedded-mesh.js';
import { meshConfigFromEnv } from '../mesh/mesh-config.js';

/**
 * `infermesh start`: the whole mesh on embedded defaults. Human-readable endpoints go to stdout,
 * followed by one `INFERMESH_READY {json}` line that scripts and the test harness parse; logs are
 * JSON on stderr.
 */
export async function startCommand(): Promise<void> {
  const config = meshConfigFromEnv(process.env);
  const logger = createLogger({ service: 'infermesh', level: config.logLevel, destination: process.stderr });
  const mesh = await startEmbeddedMesh(config, logger, (service) => createLogger({ service, level: config.logLevel, destination: process.stderr }));
  const out = process.stdout;
  out.write(`infermesh is up (embedded profile, ${config.workers} simulated workers)\n`);
  out.write(`  gRPC API           ${mesh.grpcAddress}   (infermesh.inference.v1.Inference)\n`);
  out.write(`  OpenAI HTTP API    http://${mesh.httpAddress}/v1\n`);
  for (const [name, address] of Object.entries(mesh.addresses)) if (name !== 'ingress') out.write(`  ${name.padEnd(19)}${address}\n`);
  out.write(`  event log          ${mesh.eventLogDir}\n  ledger             ${mesh.ledgerDir}\n`);
  out.write(`  API key (tenant "dev")${config.devApiKeyGenerated ? ', generated; set INFERMESH_DEV_API_KEY to fix it' : ''}:\n    ${config.devApiKey}\n`);
  out.write(`  admin token: ${config.adminToken}\n`);
  out.write(
    `INFERMESH_READY ${JSON.stringify({ grpc: mesh.grpcAddress, http: mesh.httpAddress, addresses: mesh.addresses, eventLogDir: mesh.eventLogDir, ledgerDir: mesh.ledgerDir, pid: process.pid })}\n`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping infermesh');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    void mesh.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
