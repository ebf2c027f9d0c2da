import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartFailedError } from './errors.js';
import { toolsDir } from './paths.js';
import { freePort, portOpen } from './ports.js';
import { requireJava, requireProgram } from './prereqs.js';
import { groupAlive, spawnDaemon, stopDaemon, tail, waitUntil, type Daemon } from './proc.js';
import type { RunningServer, ServerOptions } from './server.js';
import { fileSize, logContains } from './log-watch.js';

/** Apache Kafka release fetched from Maven Central (`kafka_2.13`); `INFERMESH_KAFKA_VERSION` overrides. */
export const KAFKA_VERSION = process.env['INFERMESH_KAFKA_VERSION'] ?? '4.4.0';
/** log4j2 binding for the broker's slf4j 1.x logging (the Kafka POM leaves the binding out). */
const LOG4J_VERSION = '2.24.3';

export interface KafkaServer extends RunningServer {
  readonly name: 'kafka';
  /** Bootstrap list for clients: `['127.0.0.1:PORT']`. */
  readonly brokers: string[];
}

/**
 * Makes sure the broker's jars are in `.tools/kafka/<version>/libs`, resolving them with Maven
 * from Maven Central on first use (about 45 jars, 43 MB). Returns the classpath directory.
 * Throws MissingPrerequisiteError when java or mvn is absent.
 */
export function ensureKafka(log: (line: string) => void = () => {}): string {
  requireJava(17);
  const home = join(toolsDir(), 'kafka', KAFKA_VERSION);
  const libs = join(home, 'libs');
  if (existsSync(join(home, '.complete'))) return libs;
  requireProgram('mvn', 'to fetch the Kafka jars from Maven Central (first run only)', 'install Maven, e.g. `apt-get install -y maven`');
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'pom.xml'), pom());
  log(`infra: fetching Apache Kafka ${KAFKA_VERSION} from Maven Central into ${libs}`);
  rmSync(libs, { recursive: true, force: true });
  const r = spawnSync(
    'mvn',
    ['-q', '-B', `-Dmaven.repo.local=${join(toolsDir(), 'm2')}`, 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`, '-DincludeScope=runtime'],
    { cwd: home, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (r.status !== 0 || !existsSync(libs) || !readdirSync(libs).some((f) => f.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) {
    throw new Error(`infra: mvn could not fetch Kafka ${KAFKA_VERSION}: ${`${r.stdout}${r.stderr}`.slice(-2000)}`);
  }
  writeFileSync(join(home, 'log4j2.properties'), LOG4J_CONFIG);
  writeFileSync(join(home, '.complete'), `${new Date().toISOString()}\n`);
  return libs;
}

/**
 * Starts a single-node KRaft broker (broker and controller in one JVM) on 127.0.0.1. The data
 * directory is formatted on first use. Resolves once the broker reports itself started.
 */
export async function startKafka(options: ServerOptions = {}): Promise<KafkaServer> {
  const libs = ensureKafka((l) => process.stderr.write(`${l}\n`));
  const home = join(libs, '..');
  const ownData = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'infermesh-kafka-'));
  mkdirSync(dataDir, { recursive: true });
  const port = options.port !== undefined && options.port > 0 ? options.port : await freePort();
  const controllerPort = await previousControllerPort(join(dataDir, 'server.properties')) ?? (await freePort());
  const logFile = join(dataDir, 'kafka.log');
  const ownerPid = options.ownerPid === undefined ? process.pid : options.ownerPid;
  const config = join(dataDir, 'server.properties');
  const java = ['-cp', `${libs}/*`, `-Dlog4j2.configurationFile=${join(home, 'log4j2.properties')}`];

  const launch = async (): Promise<Daemon> => {
    writeFileSync(config, serverProperties(port, controllerPort, join(dataDir, 'log')));
    if (!existsSync(join(dataDir, 'log', 'meta.properties'))) {
      const clusterId = randomBytes(16).toString('base64url');
      const f = spawnSync('java', [...java, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', config], { encoding: 'utf8' });
      if (f.status !== 0) throw new StartFailedError('kafka', logFile, `storage format failed: ${f.stderr.slice(-1000)}`);
    }
    const logStart = fileSize(logFile);
    const d = spawnDaemon({
      command: 'java',
      args: ['-Xms128m', '-Xmx1g', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true', ...java, 'kafka.Kafka', config],
      logFile,
      ...(ownerPid === null ? {} : { ownerPid }),
    });
    try {
      await waitUntil(async () => logContains(logFile, logStart, 'Kafka Server started') && (await portOpen(port)), {
        timeoutMs: 60_000,
        intervalMs: 100,
        alive: () => groupAlive(d.pid),
        what: 'kafka',
      });
    } catch (err) {
      await stopDaemon(d, 2000);
      throw new StartFailedError('kafka', logFile, `${(err as Error).message}\n${tail(logFile)}`);
    }
    return d;
  };

  let current = await launch();
  const server: KafkaServer = {
    name: 'kafka',
    url: `127.0.0.1:${port}`,
    brokers: [`127.0.0.1:${port}`],
    port,
    dataDir,
    logFile,
    get pid() {
      return current.pid;
    },
    async stop(opts) {
      await stopDaemon(current, 15_000);
      if (ownData && opts?.keepData !== true) rmSync(dataDir, { recursive: true, force: true });
    },
    async start() {
      if (!groupAlive(current.pid)) current = await launch();
    },
    async restart() {
      await stopDaemon(current, 15_000);
      current = await launch();
    },
  };
  return server;
}

/** The controller port of an earlier start of this data directory, when it is free again. */
async function previousControllerPort(config: string): Promise<number | undefined> {
  if (!existsSync(config)) return undefined;
  const m = /^controller\.quorum\.voters=1@127\.0\.0\.1:(\d+)$/m.exec(readFileSync(config, 'utf8'));
  const port = m === null ? 0 : Number(m[1]);
  return port > 0 && !(await portOpen(port)) ? port : undefined;
}

function serverProperties(port: number, controllerPort: number, logDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=3',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=3',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

function pom(): string {
  const dep = (g: string, a: string, v: string): string =>
    `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by tools/infra: the jars of a single-node Kafka broker. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.infermesh.infra</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>${KAFKA_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
${dep('org.apache.kafka', 'kafka_2.13', KAFKA_VERSION)}
${dep('org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J_VERSION)}
${dep('org.apache.logging.log4j', 'log4j-core', LOG4J_VERSION)}
  </dependencies>
</project>
`;
}

const LOG4J_CONFIG = `status = error
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.out.ref = OUT
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = info
`;
