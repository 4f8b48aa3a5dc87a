import { ProgressBar } from '../telemetry/ProgressBar.js';
import type { Logger } from '../telemetry/logger.js';
import { ConfigError } from '../errors.js';
import { labelDelay } from '../sinks/labelDelay.js';
import { replay, type ReplayFormat, type ReplayLabels } from '../sinks/replay.js';
import { openSource } from '../sources/openSource.js';

export interface CommandIO {
  readonly log: Logger;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/**
 * `streamtune replay FILE` and `streamtune synth --stream URI`: produce a stream into a topic with
 * a progress bar and a final count. SIGINT/SIGTERM stop reading; what was read is still sent.
 * With `--labels-topic`, each record's label goes to that topic `--label-delay` records later.
 *
 * @example
 * await replayCommand('data/elec2.csv', { brokers: '127.0.0.1:9092', topic: 'f', labelsTopic: 'l', labelDelay: '500', format: 'json' }, io);
 */
export async function replayCommand(source: string, opts: Record<string, unknown>, io: CommandIO): Promise<number> {
  const labels = labelsOf(opts);
  const opened = await openSource(source);
  const topic = String(opts.topic);
  const format = opts.format as ReplayFormat;
  const bar = opts.progress === false ? undefined : new ProgressBar({ stream: io.stderr });
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const result = await replay({
      records: opened.records,
      columns: [...opened.columns],
      brokers: String(opts.brokers)
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
      topic,
      partitions: opts.partitions as number | undefined,
      format,
      rate: opts.rate as number | undefined,
      keyColumn: opts.keyColumn as string | undefined,
      ...(labels ? { labels } : {}),
      maxRecords: opts.maxRecords as number | undefined,
      signal: abort.signal,
      onProgress: (sent, total) => bar?.update(sent, total),
      onWarning: (message) => io.log.warn({ topic }, message),
    });
    bar?.finish();
    const rate = Math.round(result.sent / Math.max(result.seconds, 1e-9)).toLocaleString('en-US');
    io.stdout.write(
      `replayed ${result.sent.toLocaleString('en-US')} records from ${opened.name} to topic ${result.topic} ` +
        `(${result.partitions} partition${result.partitions === 1 ? '' : 's'}, ${format}) in ${result.seconds.toFixed(1)} s, ` +
        `${rate} msg/s${abort.signal.aborted ? ' (interrupted)' : ''}\n`,
    );
    if (result.labels) {
      io.stdout.write(
        `sent their ${result.labels.sent.toLocaleString('en-US')} labels to topic ${result.labels.topic} ` +
          `(${result.labels.partitions} partition${result.labels.partitions === 1 ? '' : 's'}), label delay ${String(opts.labelDelay ?? 0)} records\n`,
      );
    }
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** The label split asked for by `--labels-topic` (`--label`, `--label-delay`, `--seed` only with it). */
function labelsOf(opts: Record<string, unknown>): ReplayLabels | undefined {
  const topic = opts.labelsTopic as string | undefined;
  if (topic === undefined) {
    const stray = (['label', 'labelDelay', 'seed'] as const).find((k) => opts[k] !== undefined);
    if (stray) throw new ConfigError(`replay: --${stray === 'labelDelay' ? 'label-delay' : stray} needs --labels-topic (the topic the labels are split into)`);
    return undefined;
  }
  const column = opts.label as string | undefined;
  const delay = labelDelay(String(opts.labelDelay ?? '0'), (opts.seed as number | undefined) ?? 1);
  return { topic, delay, ...(column === undefined ? {} : { column }) };
}
