import { readRun } from '../report/readRun.js';
import { writeReport } from '../report/writeReport.js';

/**
 * `streamtune report RUN [--summary FILE] [--out FILE]`: reads a metrics log (or a checkpoint
 * directory) and writes the run report, one self-contained HTML file. Returns the exit code.
 *
 * @example
 * await reportCommand('metrics.jsonl', { summary: 'summary.json', out: 'report.html' }, { stdout: process.stdout });
 */
export async function reportCommand(
  run: string,
  opts: { summary?: string; out: string },
  io: { stdout: NodeJS.WritableStream },
): Promise<number> {
  const data = await readRun(run, { summary: opts.summary });
  const bytes = writeReport(data, opts.out);
  io.stdout.write(`report written to ${opts.out} (${Math.ceil(bytes / 1024)} KB, ${data.lines.length} metrics lines)\n`);
  return 0;
}
