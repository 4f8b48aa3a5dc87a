import type { ModelExchange } from '../../src/sync/ModelExchange.js';
import type { PeerBook } from '../../src/sync/PeerBook.js';
import { syncCodec } from '../../src/sync/syncCodec.js';
import type { SyncMessage } from '../../src/sync/SyncMessage.js';

/** A sync topic in memory: every message goes through the codec to every book, the publisher's included (it must ignore its own). */
export class MemoryTopic {
  readonly books: PeerBook[] = [];
  readonly log: SyncMessage[] = [];

  /** An exchange writing to this topic. */
  exchange(): ModelExchange {
    return {
      busy: false,
      publish: async (message) => {
        const bytes = syncCodec.encode(message);
        const decoded = syncCodec.decode(bytes);
        this.log.push(decoded);
        for (const book of this.books) book.receive(decoded);
        return bytes.length;
      },
    };
  }

  /** A late reader: replays the topic compacted (the latest message per key) into a book, as a new consumer reads it. */
  catchUp(book: PeerBook): void {
    const latest = new Map(this.log.map((m) => [m.member, m]));
    for (const m of latest.values()) book.receive(m);
    this.books.push(book);
  }
}
