/* global process */
/**
 * Preloaded into a `streamtune train` run (`node --import ./cpuClock.mjs dist/src/cli.js ...`):
 * the CPU time (user + system, every thread) the process spent from its "source opened" log line
 * (just before the first record is read) to its exit, written as JSON to
 * $STREAMTUNE_BENCH_CPU_FILE, so that the bench can put records per CPU-second beside River's
 * (whose loop is timed with process_time). Start-up (imports, backend) is left out; the end of
 * the run (summary, exit) is in. The log line is seen by wrapping fs.writeSync, which the
 * logger's synchronous destination (fd 2) calls.
 *
 * @example
 * STREAMTUNE_BENCH_CPU_FILE=/tmp/cpu.json node --import ./test/bench/lib/cpuClock.mjs dist/src/cli.js train --source data.csv
 */
import fs from 'node:fs';

const file = process.env.STREAMTUNE_BENCH_CPU_FILE;
if (file) {
  let start;
  const writeSync = fs.writeSync;
  fs.writeSync = function (fd, data, ...rest) {
    if (start === undefined && fd === 2 && String(data).includes('"msg":"source opened"')) start = process.cpuUsage();
    return writeSync.call(this, fd, data, ...rest);
  };
  process.on('exit', () => {
    const total = process.cpuUsage();
    const loop = start ? process.cpuUsage(start) : undefined;
    writeSync(fs.openSync(file, 'w'), JSON.stringify({ processCpuSeconds: (total.user + total.system) / 1e6, loopCpuSeconds: loop ? (loop.user + loop.system) / 1e6 : null }));
  });
}
