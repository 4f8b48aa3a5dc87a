import type { z } from 'zod';
import { formatIssues } from '../formatIssues.js';

/**
 * Parses `value` with `schema`, or throws the error `fail` builds from the one line
 * {@link formatIssues} writes, naming every bad field.
 *
 * @example
 * parseOrThrow(settingsSchema, input, (detail) => new ConfigError(`DriftPolicy settings: ${detail}`));
 * // ConfigError: DriftPolicy settings: field "factor": Too small: expected number to be >=1
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, fail: (detail: string) => Error): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw fail(formatIssues(result.error.issues));
}
