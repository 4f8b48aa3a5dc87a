/* global process, URL */
/**
 * Starts the project's real Kafka broker (`docker/kafka/kafka.sh start`) on free loopback ports
 * with its own state file, and stops it (`kafka.sh stop`, which removes its data dir).
 *
 * @example
 * const broker = await startKafka();
 * broker.brokers; // '127.0.0.1:41234'
 * await broker.stop();
 */
import { execFile, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../../docker/kafka/kafka.sh', import.meta.url));

/** Ports the OS reports free on 127.0.0.1, held open together so they are distinct. */
export async function freePorts(count) {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function run(command, env, timeout) {
  return new Promise((resolve, reject) => {
    execFile('bash', [script, command], { env, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`kafka.sh ${command} failed: ${error.message.split('\n')[0]}\n${stderr.slice(-3000)}`)) : resolve(stdout),
    );
  });
}

export async function startKafka() {
  const [port, saslPort, controllerPort] = await freePorts(3);
  const env = {
    ...process.env,
    STREAMTUNE_KAFKA_PORT: String(port),
    STREAMTUNE_KAFKA_SASL_PORT: String(saslPort),
    STREAMTUNE_KAFKA_CONTROLLER_PORT: String(controllerPort),
    STREAMTUNE_KAFKA_STATE: join(tmpdir(), `streamtune-kafka-bench-${port}.env`),
  };
  delete env.STREAMTUNE_KAFKA_DATA;
  const stopSync = () => spawnSync('bash', [script, 'stop'], { env, stdio: 'ignore', timeout: 60_000 });
  process.once('exit', stopSync);
  let stdout;
  try {
    stdout = await run('start', env, 10 * 60_000);
  } catch (error) {
    stopSync();
    throw error;
  }
  const brokers = stdout.trim().split('\n').at(-1);
  let stopping;
  return {
    brokers,
    stop() {
      stopping ??= run('stop', env, 60_000).then(() => process.removeListener('exit', stopSync));
      return stopping;
    },
  };
}
