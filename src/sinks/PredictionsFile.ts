import { LinesFile } from './LinesFile.js';

/**
 * The predictions file: JSON Lines appended synchronously, one write per block (so nothing is lost
 * if the process dies). Like the dead-letter file, a checkpoint stores its length and a resumed
 * run cuts it back there, so the records read again after a crash are not written twice.
 *
 * @example
 * const file = new PredictionsFile('predictions.jsonl');
 * file.write(['{"position":"a.csv:2","prediction":1}']);
 * file.close();
 */
export class PredictionsFile extends LinesFile {
  constructor(path: string) {
    super(path, '--predictions');
  }

  /** Appends the lines (each without its newline). */
  write(lines: readonly string[]): void {
    this.append(lines);
  }
}
