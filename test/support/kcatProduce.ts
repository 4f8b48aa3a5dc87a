import { spawn } from 'node:child_process';

/**
 * Produces keyed messages with kcat (librdkafka: a client independent of kafkajs and of the
 * product), one `key<TAB>value` line each, with acks from every replica. Rejects with kcat's
 * stderr when it exits non-zero (e.g. a delivery failure) or takes over `timeoutMs`.
 *
 * @example
 * await kcatProduce('127.0.0.1:9092', 'sea', [{ key: 'k1', value: '{"x1":1,"x2":2,"x3":3,"y":0}' }]);
 */
export function kcatProduce(
  brokers: string,
  topic: string,
  messages: ReadonlyArray<{ key: string; value: string }>,
  timeoutMs = 60_000,
): Promise<void> {
  for (const { key, value } of messages) {
    if (/[\t\n]/.test(key) || value.includes('\n')) throw new Error(`kcatProduce: keys hold no tab or newline, values no newline: ${key}`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', ['-b', brokers, '-t', topic, '-P', '-K', '\t', '-X', 'acks=all'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run kcat (install it: apt-get install kcat): ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`kcat exited with ${code ?? signal}: ${stderr}`));
    });
    child.stdin.end(messages.map(({ key, value }) => `${key}\t${value}\n`).join(''));
  });
}
