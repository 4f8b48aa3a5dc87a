import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Python of .venv-onnx (test/export/setup-onnx.sh), or undefined when it is not set up. */
export const onnxPython = ((): string | undefined => {
  const python = join(process.cwd(), '.venv-onnx', 'bin', 'python');
  return existsSync(python) ? python : undefined;
})();

/**
 * Runs the `onnx` package's full checker (with shape inference) on model files, in one Python
 * process; returns its error text, or '' when every model is valid.
 */
export function checkOnnx(...paths: string[]): string {
  if (!onnxPython) throw new Error('.venv-onnx is missing: run bash test/export/setup-onnx.sh');
  const script = 'import onnx, sys\nfor p in sys.argv[1:]:\n    onnx.checker.check_model(p, full_check=True)\nprint("ok")';
  const run = spawnSync(onnxPython, ['-c', script, ...paths], { encoding: 'utf8' });
  return run.status === 0 && run.stdout.trim() === 'ok' ? '' : `${run.stderr}${run.stdout}`.trim() || `exit ${run.status}`;
}
