import type { StandardizerDelta } from '../stats/Standardizer.js';
import type { SyncMessage } from './SyncMessage.js';

/** The other members as this trainer knows them: the latest message and what is not merged yet. */
export interface Peer {
  readonly latest: SyncMessage;
  /** Records the member learned since this trainer last merged it (the sum of `fresh` since). */
  readonly pendingRecords: number;
  /** Its scaler deltas since this trainer last merged it, oldest first (each is merged once). */
  readonly pendingDeltas: readonly StandardizerDelta[];
}

interface MutablePeer {
  latest: SyncMessage;
  pendingRecords: number;
  pendingDeltas: StandardizerDelta[];
}

/**
 * The latest message of every other member of the group, with what this trainer has not merged
 * yet: messages are received as the exchange reads them (own ones, repeats and older generations
 * ignored); a round {@link take}s the live ones, which empties their pending part.
 *
 * @example
 * const book = new PeerBook('trainer-1');
 * book.receive(message);
 * for (const peer of book.live(Date.now(), 30_000)) merge(book.take(peer.latest.member));
 */
export class PeerBook {
  readonly self: string;
  readonly #peers = new Map<string, MutablePeer>();

  constructor(self: string) {
    this.self = self;
  }

  /** Keeps a message: returns false for this member's own, a repeat or an older one. */
  receive(message: SyncMessage): boolean {
    if (message.member === this.self) return false;
    const known = this.#peers.get(message.member);
    if (known) {
      const { generation, seq } = known.latest;
      if (message.generation < generation || (message.generation === generation && message.seq <= seq)) return false;
      known.latest = message;
      known.pendingRecords += message.fresh;
      known.pendingDeltas.push(message.delta);
    } else {
      this.#peers.set(message.member, { latest: message, pendingRecords: message.fresh, pendingDeltas: [message.delta] });
    }
    return true;
  }

  /** Members whose latest message is at most `timeoutMs` old at `now` (publisher's clock), by member id. */
  live(now: number, timeoutMs: number): Peer[] {
    return this.all().filter((p) => now - p.latest.time <= timeoutMs);
  }

  /** Every member ever heard from, by member id. */
  all(): Peer[] {
    return [...this.#peers.values()].sort((a, b) => (a.latest.member < b.latest.member ? -1 : 1)).map((p) => ({ ...p, pendingDeltas: [...p.pendingDeltas] }));
  }

  /** The member's state, its pending part emptied (it is being merged now). */
  take(member: string): Peer | undefined {
    const peer = this.#peers.get(member);
    if (!peer) return undefined;
    const taken = { latest: peer.latest, pendingRecords: peer.pendingRecords, pendingDeltas: peer.pendingDeltas };
    peer.pendingRecords = 0;
    peer.pendingDeltas = [];
    return taken;
  }

  /** Forgets every pending part (at start: what was published before is in the states, or lost with ours). */
  clearPending(): void {
    for (const peer of this.#peers.values()) {
      peer.pendingRecords = 0;
      peer.pendingDeltas = [];
    }
  }
}
