/**
 * Text made safe for one cell of a Markdown table: pipes escaped, line breaks flattened.
 *
 * @example
 * markdownCell('clip |z| to this'); // 'clip \\|z\\| to this'
 */
export function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}
