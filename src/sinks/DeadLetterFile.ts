import type { Rejected } from '../types.js';
import { LinesFile } from './LinesFile.js';

/**
 * A dead-letter sink: one JSON line per rejected record (time, reason, detail, source position,
 * raw text), appended synchronously so nothing is lost if the process dies. The file is created
 * on the first rejection only; a checkpoint stores its length ({@link LinesFile}).
 *
 * @example
 * const dead = new DeadLetterFile('dead-letter.jsonl');
 * dead.write(rejected); dead.close();
 */
export class DeadLetterFile extends LinesFile {
  constructor(path: string) {
    super(path, '--dead-letter');
  }

  write(record: Rejected): void {
    const line = {
      time: new Date().toISOString(),
      reason: record.reason,
      detail: record.detail,
      position: record.position,
      index: record.index,
      ...(record.key === undefined ? {} : { key: record.key }),
      raw: record.raw,
    };
    this.append([JSON.stringify(line)]);
  }
}
