/* global process */
/**
 * The machine and the versions a benchmark ran with: cores, CPU model, memory, Node.js and
 * TF.js versions, and the Python peers' versions (from their own reports).
 *
 * @example
 * machineInfo(); // { nproc: 2, cpu: 'Intel(R) Xeon(R) ...', memoryGiB: 23.4, node: 'v20.20.2', tfjs: '4.22.0', ... }
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem, release } from 'node:os';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Version of an installed npm package, or 'not installed'. */
export function packageVersion(name) {
  try {
    return require(`${name}/package.json`).version;
  } catch {
    return 'not installed';
  }
}

export function machineInfo() {
  let cpu = cpus()[0]?.model ?? 'unknown';
  let flags = '';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    cpu = /^model name\s*:\s*(.+)$/m.exec(info)?.[1] ?? cpu;
    const f = /^flags\s*:\s*(.+)$/m.exec(info)?.[1] ?? '';
    flags = ['avx2', 'avx512f', 'fma'].filter((x) => f.split(' ').includes(x)).join(' ');
  } catch {
    // not Linux: os.cpus() is what there is
  }
  return {
    nproc: availableParallelism(),
    cpu,
    cpuFlags: flags,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    tfjs: packageVersion('@tensorflow/tfjs'),
    tfjsWasm: packageVersion('@tensorflow/tfjs-backend-wasm'),
    tfjsNode: packageVersion('@tensorflow/tfjs-node'),
    kafkajs: packageVersion('kafkajs'),
  };
}
