/**
 * The formats an export writes: TF.js Layers (`model.json` + `weights.bin`), ONNX (`model.onnx`), or both.
 *
 * @example
 * z.enum(EXPORT_FORMATS).default('both');
 */
export const EXPORT_FORMATS = ['tfjs', 'onnx', 'both'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
