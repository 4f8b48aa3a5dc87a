import type { Config } from '../config.js';

/**
 * The formats an export writes (`EXPORT_FORMATS` of the config schema): TF.js Layers
 * (`model.json` + `weights.bin`), ONNX (`model.onnx`), or both.
 *
 * @example
 * const format: ExportFormat = 'onnx';
 */
export type ExportFormat = Config['export']['format'];
