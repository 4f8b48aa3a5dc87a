import type { z } from 'zod';

/**
 * Turns zod issues into one line per problem, each naming the field: the one formatter of every
 * settings and configuration error (the config file, the tuner, the policies, snapshots).
 *
 * @example
 * formatIssues(schema.safeParse({ batch: { size: 0 }, colour: 1 }).error!.issues);
 * // 'field "batch.size": Too small: expected number to be >0; unknown key "colour"'
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      if (issue.code === 'unrecognized_keys') {
        const where = issue.path.length > 0 ? ` in "${field}"` : '';
        return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${where}`;
      }
      return `field "${field}": ${issue.message}`;
    })
    .join('; ');
}
