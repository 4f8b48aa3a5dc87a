import { z } from 'zod';

/** The formats an export writes: TF.js Layers (`model.json` + `weights.bin`), ONNX (`model.onnx`), or both. */
export const EXPORT_FORMATS = ['tfjs', 'onnx', 'both'] as const;

/**
 * The `export:` section: periodic exports of the champion with its preprocessing while training.
 *
 * @example
 * exportSchema.parse({ dir: 'exports', everyRecords: 5000 });
 */
export const exportSchema = z
  .strictObject({
    dir: z
      .string()
      .min(1)
      .optional()
      .describe('export the champion with its preprocessing here while training: versioned directories v<seq>, written atomically, and a latest file naming the newest (unset: no periodic export)'),
    everyRecords: z.number().int().positive().default(10_000).describe('export after this many records (and once more at the end of the run)'),
    format: z.enum(EXPORT_FORMATS).default('both').describe('what each export holds: tfjs (model.json + weights.bin), onnx (model.onnx) or both'),
    keep: z.number().int().positive().default(3).describe('exported versions kept; older ones are deleted (never the one latest names)'),
  })
  .prefault({});
