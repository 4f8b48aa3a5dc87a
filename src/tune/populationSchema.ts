import { z } from 'zod';

const positiveInt = z.number().int().positive();
const range = (min: number, max: number) =>
  z
    .tuple([z.number().min(0), z.number().min(0)])
    .default([min, max])
    .refine(([lo, hi]) => lo <= hi, { message: 'the first bound must not exceed the second' });

/**
 * The `tuning.population:` section: K models learn the same stream with their own learning rate,
 * L2 and batch size; the champion (lowest recent loss) is the model the run reports; at intervals
 * the worst copy the best and perturb its hyperparameters. `size: 1` is a single model.
 *
 * @example
 * populationSchema.parse({ size: 4, interval: 1000 });
 * // YAML:
 * // tuning:
 * //   population: { size: 4, learningRate: [0.0003, 0.03], batchSizes: [1, 8] }
 */
export const populationSchema = z
  .strictObject({
    size: positiveInt.max(64).default(4).describe('models learning the same stream (1: a single model, no population)'),
    interval: positiveInt.default(1000).describe('records between two exploit/explore rounds'),
    halfLife: positiveInt.default(200).describe("records over which a member's recent loss (its ranking) halves its weight"),
    replace: z.number().gt(0).lt(1).default(0.25).describe('fraction of the members (the worst, at least one) that copy a better one each round'),
    margin: z.number().min(0).default(0.1).describe("a member copies a better one only when its loss since the last round is higher by more than this fraction"),
    perturb: z.number().gt(1).default(2).describe('explore: a copied learning rate or L2 is multiplied or divided by this (squared after a drift)'),
    learningRate: range(1e-4, 0.05).describe('bounds [min, max] of a member learning rate'),
    l2: range(0, 0.01).describe('bounds [min, max] of a member L2 strength'),
    batchSizes: z.array(positiveInt).min(1).default([1, 8]).describe("batch sizes members may use; the first members take them in turn"),
    widenOnDrift: z.boolean().default(true).describe('after a detected drift, run a round at once with the perturbation squared'),
    blend: z.boolean().default(false).describe('predict with a loss-weighted blend of the members instead of the champion alone'),
    seed: z.number().int().default(0).describe('seed of exploration (which member is copied, which way a value moves)'),
  })
  .prefault({});

export type PopulationSettings = z.output<typeof populationSchema>;
