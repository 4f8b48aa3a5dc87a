import { z } from 'zod';
import { divergenceSettingsSchema } from './DivergencePolicy.js';
import { driftSettingsSchema } from './DriftPolicy.js';
import { gapSettingsSchema } from './GapPolicy.js';
import { plateauSettingsSchema } from './PlateauPolicy.js';

/**
 * A policy's entry: `false` disables it; `true`, `{}` or nothing enables it with the defaults.
 * (A transform rather than a union, so that a bad nested field is reported by its own path.)
 */
function toggle<S extends z.ZodType<object, object>>(schema: S, enabledByDefault = true) {
  return z
    .custom<boolean | z.input<S>>()
    .transform((value, ctx): false | z.output<S> => {
      if (value === false) return false;
      const result = schema.safeParse(value === true ? {} : value);
      if (result.success) return result.data;
      for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: value } as z.core.$ZodRawIssue);
      return z.NEVER;
    })
    .prefault((enabledByDefault ? {} : false) as z.input<S>);
}

/**
 * The `tuning:` section of the configuration: every key has a default, unknown keys are errors.
 * Its output is the {@link Tuner}'s settings. Global bounds, when set, tighten every policy's own.
 *
 * @example
 * const settings = tuningSchema.parse({ plateau: { patience: 100 }, gap: false });
 * const tuner = new Tuner(settings);
 * // YAML:
 * // tuning:
 * //   maxLr: 0.005
 * //   drift: { factor: 3, decayBatches: 300, forgetting: { halfLife: 2000, batches: 100 } }
 * //   gap: false
 */
export const tuningSchema = z
  .strictObject({
    /** Off: the tuner changes nothing and reports nothing. */
    enabled: z.boolean().default(true),
    /** Floor for every lr cut (plateau, divergence). */
    minLr: z.number().min(0).optional(),
    /** Ceiling for every lr raise (drift). */
    maxLr: z.number().positive().optional(),
    /** Floor and ceiling for L2 (gap). */
    minL2: z.number().min(0).optional(),
    maxL2: z.number().min(0).optional(),
    divergence: toggle(divergenceSettingsSchema),
    drift: toggle(driftSettingsSchema),
    /**
     * Off by default: on a stream that keeps drifting, cutting the learning rate on every plateau
     * leaves it too small to follow the next change (measured on SEA: overall prequential accuracy
     * 0.840 with it, 0.875 without). Turn it on for streams that settle.
     */
    plateau: toggle(plateauSettingsSchema, false),
    gap: toggle(gapSettingsSchema),
  })
  .refine((t) => t.minLr === undefined || t.maxLr === undefined || t.minLr <= t.maxLr, {
    path: ['minLr'],
    message: 'must not exceed maxLr',
  })
  .refine((t) => t.minL2 === undefined || t.maxL2 === undefined || t.minL2 <= t.maxL2, {
    path: ['minL2'],
    message: 'must not exceed maxL2',
  });
export type TunerSettings = z.output<typeof tuningSchema>;
export type TunerSettingsInput = z.input<typeof tuningSchema>;
