import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { startInfra, type Infra } from './index.js';
import { groupAlive } from './proc.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'main.js');
const dist = join(here, '..', 'dist', 'index.js');

function runCli(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  if (!existsSync(cli)) throw new Error(`build tools/infra first (npx tsc -b tools/infra): ${cli} is missing`);
  return spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', timeout: 120_000 });
}

describe('startInfra', () => {
  let infra: Infra;
  beforeAll(async () => {
    infra = await startInfra();
  }, 180_000);
  afterAll(() => infra?.stop());

  it('serves a real Kafka broker, NATS with JetStream and PostgreSQL 18 on loopback', async () => {
    const kafka = new Kafka({ brokers: infra.kafka.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'infra-probe', numPartitions: 2 }], waitForLeaders: true });
    expect((await admin.fetchTopicOffsets('infra-probe')).length).toBe(2);
    await admin.disconnect();

    const nc = await connect({ servers: infra.nats.url });
    const info = await (await jetstreamManager(nc)).getAccountInfo();
    expect(info.streams).toBe(0);
    await nc.close();

    const db = new pg.Client({ connectionString: infra.postgres.url });
    await db.connect();
    const r = await db.query<{ v: string }>('SELECT version() AS v');
    expect(r.rows[0]?.v).toMatch(/^PostgreSQL 18/);
    await db.end();
  });

  it('stop() ends every process group and frees the ports', async () => {
    const pids = [infra.kafka.pid, infra.nats.pid, infra.postgres.pid];
    await infra.stop();
    expect(pids.map(groupAlive)).toEqual([false, false, false]);
    expect(existsSync(infra.kafka.dataDir)).toBe(false);
  }, 60_000);
});

describe('orphans', () => {
  it('a server dies with its owner even when the owner is killed with SIGKILL', async () => {
    const script = `const { startNats } = await import(${JSON.stringify(dist)}); const s = await startNats(); process.stdout.write(s.pid + '\\n'); setInterval(() => {}, 1000);`;
    const owner = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      owner.stdout.once('data', (b: Buffer) => resolve(Number(b.toString().trim())));
      owner.once('exit', () => reject(new Error('owner exited before starting nats')));
    });
    expect(groupAlive(pid)).toBe(true);
    owner.kill('SIGKILL');
    for (let i = 0; i < 100 && groupAlive(pid); i++) await sleep(100);
    expect(groupAlive(pid)).toBe(false);
  }, 60_000);
});

describe('CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'infermesh-infra-cli-'));
  const env = { ...process.env, INFERMESH_INFRA_DIR: dir };
  afterAll(() => {
    runCli(['down', '--purge'], env);
    rmSync(dir, { recursive: true, force: true });
  });

  it('up is idempotent, status reports, down leaves no process behind', () => {
    const first = runCli(['up'], env);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^export INFERMESH_KAFKA_BROKERS=127\.0\.0\.1:\d+$/m);
    const second = runCli(['up'], env);
    expect(second.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toMatch(/kafka already running/);
    const st = runCli(['status'], env);
    expect(st.status).toBe(0);
    const pids = [...st.stdout.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(3);
    expect(runCli(['down'], env).status).toBe(0);
    expect(pids.map(groupAlive)).toEqual([false, false, false]);
    expect(runCli(['status'], env).status).toBe(3);
    expect(runCli(['down'], env).status).toBe(0);
  }, 150_000);

  it('names the missing prerequisite and exits 2', () => {
    const r = runCli(['fetch'], { ...env, PATH: dirname(process.execPath), INFERMESH_TOOLS_DIR: join(dir, 'empty-tools') });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/java is required but was not found on PATH/);
  });
});
