import type { z } from 'zod';

/**
 * Parses `value` with `schema`, or throws the error `fail` builds from one line naming every bad field.
 *
 * @example
 * parseOrThrow(settingsSchema, input, (detail) => new ConfigError(`DriftPolicy: ${detail}`));
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, fail: (detail: string) => Error): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw fail(
    result.error.issues
      .map((issue) => `${issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'value'}: ${issue.message}`)
      .join('; '),
  );
}
