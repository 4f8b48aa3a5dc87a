import { SourceError } from '../errors.js';
import type { AdamSlot } from '../model/AdamSettings.js';
import type { EngineSnapshot } from '../model/Engine.js';
import type { SyncMessage } from './SyncMessage.js';

/** Format version of the encoded message; a reader skips versions it does not know. */
const VERSION = 1;

/** Float32 values as base64 (4 bytes a value, +1/3): weights and Adam moments are Float32 in the engines anyway. */
const pack = (values: readonly number[]): string => Buffer.from(Float32Array.from(values).buffer).toString('base64');

function unpack(text: unknown, length: number, where: string): number[] {
  if (typeof text !== 'string') throw new SourceError(`sync message: ${where} is not a base64 string`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== length * 4) throw new SourceError(`sync message: ${where} holds ${bytes.length / 4} values, its shape says ${length}`);
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return Array.from(floats);
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function packEngine(engine: EngineSnapshot): unknown {
  return {
    weights: engine.weights.map((w) => ({ shape: w.shape, values: pack(w.values) })),
    optimizer: {
      t: engine.optimizer.t,
      slots: engine.optimizer.slots.map((s) => ({ shape: s.shape, m: pack(s.m), v: pack(s.v), ...(s.vhat ? { vhat: pack(s.vhat) } : {}) })),
    },
  };
}

function unpackEngine(json: { weights: { shape: number[]; values: string }[]; optimizer: { t: number; slots: Record<string, unknown>[] } }, k: number): EngineSnapshot {
  return {
    weights: json.weights.map((w, i) => ({ shape: w.shape, values: unpack(w.values, size(w.shape), `member ${k} weight ${i}`) })),
    optimizer: {
      t: json.optimizer.t,
      slots: json.optimizer.slots.map((s, i): AdamSlot => {
        const shape = s.shape as number[];
        const n = size(shape);
        const where = `member ${k} Adam slot ${i}`;
        return { shape, m: unpack(s.m, n, where), v: unpack(s.v, n, where), ...(s.vhat ? { vhat: unpack(s.vhat, n, where) } : {}) };
      }),
    },
  };
}

/**
 * The sync topic's message format: JSON with weights and Adam moments as base64 Float32 arrays
 * (a third of the size of JSON numbers), the scaler's moments as plain numbers (Float64: they are
 * few and sums of squares need the precision).
 *
 * @example
 * const bytes = syncCodec.encode(message);
 * syncCodec.decode(bytes); // the same message, weights rounded to Float32
 */
export const syncCodec = {
  encode(message: SyncMessage): Buffer {
    const { members, ...rest } = message;
    return Buffer.from(JSON.stringify({ v: VERSION, ...rest, members: members.map(packEngine) }));
  },

  /** Decodes a message; a SourceError names what is wrong (the caller adds where it was read). */
  decode(bytes: Buffer): SyncMessage {
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    } catch (cause) {
      throw new SourceError('sync message: not JSON; is another program writing to the sync topic?', { cause, retriable: false });
    }
    if (json.v !== VERSION) throw new SourceError(`sync message: format version ${String(json.v)}, this trainer reads ${VERSION}; run the same streamtune version on every member`);
    const numbers = ['generation', 'seq', 'time', 'records', 'fresh'] as const;
    for (const key of numbers) {
      if (typeof json[key] !== 'number' || !Number.isFinite(json[key])) throw new SourceError(`sync message: "${key}" must be a number`);
    }
    if (typeof json.member !== 'string' || !Array.isArray(json.members) || typeof json.scaler !== 'object' || typeof json.delta !== 'object') {
      throw new SourceError('sync message: "member", "members", "scaler" and "delta" are required');
    }
    const { v: _version, ...fields } = json;
    const members = (json.members as Parameters<typeof unpackEngine>[0][]).map(unpackEngine);
    return { ...(fields as unknown as SyncMessage), members };
  },
};
