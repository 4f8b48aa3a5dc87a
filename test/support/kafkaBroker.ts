import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A running broker owned by the test run. */
export interface KafkaBroker {
  /** PLAINTEXT bootstrap address, e.g. `127.0.0.1:41234`. */
  readonly brokers: string;
  /** SASL_PLAINTEXT bootstrap address (PLAIN `streamtune`, SCRAM-SHA-256/512 `streamtune-scram`). */
  readonly saslBrokers: string;
  /** Stops the broker and removes its data dir (kept when given as `dataDir`); safe to call more than once. */
  stop(): Promise<void>;
  /** Stops the broker and starts it again on the same ports; the data survives only with `dataDir`. */
  restart(): Promise<void>;
  /** Kills the broker at once (SIGKILL, as a crashed machine; its data survives with a `dataDir`); `up()` starts it again. */
  crash(): void;
  up(): Promise<void>;
}

/** Settings of {@link startBroker}. */
export interface BrokerOptions {
  /** Keep the broker's data in this folder: it survives `restart()` and `stop()` (the caller removes it). */
  readonly dataDir?: string;
}

const script = fileURLToPath(new URL('../../docker/kafka/kafka.sh', import.meta.url));
/** Cold starts download ~46 MB of jars with Maven first. */
const startTimeoutMs = 10 * 60_000;
const stopTimeoutMs = 60_000;

/**
 * Starts a real single-node Kafka broker via `docker/kafka/kafka.sh start` on free ports.
 *
 * @example
 * const broker = await startBroker();
 * const kafka = new Kafka({ brokers: [broker.brokers] });
 * // ...
 * await broker.stop();
 * // a broker whose topics survive a restart (the caller removes dataDir):
 * const durable = await startBroker({ dataDir: await mkdtemp(join(tmpdir(), 'kafka-')) });
 * await durable.restart();
 */
export async function startBroker(options: BrokerOptions = {}): Promise<KafkaBroker> {
  const [port, saslPort, controllerPort] = await freePorts(3);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STREAMTUNE_KAFKA_PORT: String(port),
    STREAMTUNE_KAFKA_SASL_PORT: String(saslPort),
    STREAMTUNE_KAFKA_CONTROLLER_PORT: String(controllerPort),
    STREAMTUNE_KAFKA_STATE: join(tmpdir(), `streamtune-kafka-test-${port}.env`),
  };
  delete env.STREAMTUNE_KAFKA_DATA; // a fresh temp dir that `stop` removes, unless a dataDir is given
  if (options.dataDir !== undefined) env.STREAMTUNE_KAFKA_DATA = options.dataDir;

  const stopSync = (): void => {
    spawnSync('bash', [script, 'stop'], { env, stdio: 'ignore', timeout: stopTimeoutMs });
  };
  process.once('exit', stopSync); // last resort if the caller never calls stop()

  let stdout: string;
  try {
    stdout = await runScript('start', env, startTimeoutMs);
  } catch (error) {
    process.removeListener('exit', stopSync);
    stopSync();
    throw error;
  }
  const brokers = stdout.trim().split('\n').at(-1) ?? '';
  if (brokers !== `127.0.0.1:${port}`) {
    throw new Error(`kafka.sh start printed an unexpected bootstrap address: ${JSON.stringify(brokers)}`);
  }

  let stopping: Promise<void> | undefined;
  return {
    brokers,
    saslBrokers: `127.0.0.1:${saslPort}`,
    stop() {
      stopping ??= runScript('stop', env, stopTimeoutMs).then(() => {
        process.removeListener('exit', stopSync);
      });
      return stopping;
    },
    async restart() {
      if (stopping) throw new Error('restart() after stop()');
      await runScript('stop', env, stopTimeoutMs);
      await runScript('start', env, startTimeoutMs);
    },
    crash() {
      if (options.dataDir === undefined) throw new Error('crash() needs a broker started with a dataDir');
      process.kill(Number(readFileSync(join(options.dataDir, 'kafka.pid'), 'utf8').trim()), 'SIGKILL');
    },
    async up() {
      if (stopping) throw new Error('up() after stop()');
      await runScript('start', env, startTimeoutMs);
    },
  };
}

function runScript(command: 'start' | 'stop', env: NodeJS.ProcessEnv, timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [script, command], { env, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`kafka.sh ${command} failed (${error.message.split('\n')[0]}):\n${stderr}`, { cause: error }));
      } else {
        resolve(stdout);
      }
    });
  });
}

/** Ports the OS reports free on 127.0.0.1, held open together so they are distinct. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}
