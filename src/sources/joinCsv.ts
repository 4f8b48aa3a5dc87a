/**
 * Joins cells back into one CSV line, quoting those that need it (a delimiter, a quote or a line
 * break inside), quotes doubled.
 *
 * @example
 * joinCsv(['Smith, J.', 'say "hi"', '1'], ','); // '"Smith, J.","say ""hi""",1'
 */
export function joinCsv(values: readonly string[], delimiter: string): string {
  return values
    .map((v) => (v.includes(delimiter) || /["\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v))
    .join(delimiter);
}
