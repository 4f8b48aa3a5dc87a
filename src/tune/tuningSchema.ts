import { z } from 'zod';
import { divergenceSettingsSchema } from './DivergencePolicy.js';
import { driftSettingsSchema } from './DriftPolicy.js';
import { gapSettingsSchema } from './GapPolicy.js';
import { plateauSettingsSchema } from './PlateauPolicy.js';
import { populationSchema } from './populationSchema.js';

/**
 * A policy's entry: `false` disables it; `true`, `{}` or nothing enables it with the defaults.
 * (A transform rather than a union, so that a bad nested field is reported by its own path.)
 * Its metadata keeps the policy's settings schema (`settings`) and whether it is on by default
 * (`enabledByDefault`), so the docs can list the policy's keys.
 */
function toggle<S extends z.ZodType<object, object>>(schema: S, description: string, enabledByDefault = true) {
  return z
    .custom<boolean | z.input<S>>()
    .transform((value, ctx): false | z.output<S> => {
      if (value === false) return false;
      const result = schema.safeParse(value === true ? {} : value);
      if (result.success) return result.data;
      for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: value } as z.core.$ZodRawIssue);
      return z.NEVER;
    })
    .prefault((enabledByDefault ? {} : false) as z.input<S>)
    .meta({ description, settings: schema, enabledByDefault });
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
    enabled: z.boolean().default(true).describe('off: the tuner changes nothing and reports nothing'),
    minLr: z.number().min(0).optional().describe("floor for every learning-rate cut (plateau, divergence), tightening the policies' own"),
    maxLr: z.number().positive().optional().describe("ceiling for every learning-rate raise (drift), tightening the policy's own"),
    minL2: z.number().min(0).optional().describe("floor for L2 (gap), tightening the policy's own"),
    maxL2: z.number().min(0).optional().describe("ceiling for L2 (gap), tightening the policy's own"),
    divergence: toggle(divergenceSettingsSchema, 'on a skipped (non-finite) step or a loss spike: restore the last good weights and cut the learning rate'),
    drift: toggle(driftSettingsSchema, 'on a detected drift: raise the learning rate, then decay it back to the base'),
    /**
     * Off by default: on a stream that keeps drifting, cutting the learning rate on every plateau
     * leaves it too small to follow the next change (measured on SEA: overall prequential accuracy
     * 0.840 with it, 0.875 without). Turn it on for streams that settle.
     */
    plateau: toggle(
      plateauSettingsSchema,
      'ReduceLROnPlateau on the windowed loss; off by default: on a stream that keeps drifting it leaves the learning rate too small',
      false,
    ),
    /** K models learn the same stream; the champion reports; the worst copy the best and explore (docs/population.md). */
    population: populationSchema,
    gap: toggle(gapSettingsSchema, 'raise L2 while the holdout loss exceeds the train loss; lower it when both are high and the gap is small'),
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
