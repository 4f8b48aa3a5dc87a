/* global process */
/**
 * Preloaded into a `streamtune train` run (`node --import ./cpuClock.mjs dist/src/cli.js ...`):
 * the CPU time (user + system, every thread) the process spent from its "engine: ..." log line
 * (the parts are built, the first record is about to be read) to the first write of its summary
 * on stdout (the last record is learned), written as JSON to $STREAMTUNE_BENCH_CPU_FILE at exit,
 * so that the bench can put records per CPU-second beside River's (whose loop is timed with
 * process_time). Start-up (imports, backend) and shutdown are left out. The log line is seen by
 * wrapping fs.writeSync, which the logger's synchronous destination (fd 2) calls; run with
 * `--progress off`, so that stdout carries only the summary.
 *
 * @example
 * STREAMTUNE_BENCH_CPU_FILE=/tmp/cpu.json node --import ./test/bench/lib/cpuClock.mjs dist/src/cli.js train --source data.csv --progress off
 */
import fs from 'node:fs';

const file = process.env.STREAMTUNE_BENCH_CPU_FILE;
if (file) {
  let start;
  let loop;
  const writeSync = fs.writeSync;
  fs.writeSync = function (fd, data, ...rest) {
    if (start === undefined && fd === 2 && String(data).includes('"msg":"engine: ')) start = process.cpuUsage();
    return writeSync.call(this, fd, data, ...rest);
  };
  const write = process.stdout.write;
  process.stdout.write = function (...args) {
    if (start !== undefined && loop === undefined) loop = process.cpuUsage(start);
    return write.apply(this, args);
  };
  process.on('exit', () => {
    const total = process.cpuUsage();
    writeSync(fs.openSync(file, 'w'), JSON.stringify({ processCpuSeconds: (total.user + total.system) / 1e6, loopCpuSeconds: loop ? (loop.user + loop.system) / 1e6 : null }));
  });
}
