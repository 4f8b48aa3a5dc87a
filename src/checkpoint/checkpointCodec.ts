import { createHash } from 'node:crypto';
import { CheckpointError } from '../errors.js';
import { CHECKPOINT_FORMAT, type Checkpoint } from './Checkpoint.js';

/*
 * File layout (one JSON document, so `jq` still reads it):
 *   {"streamtune":"checkpoint","bytes":<body length>,"sha256":"<hex of the body bytes>","body":<body>}\n
 * The body is the checkpoint as JSON, with two lossless compactions that the decoder undoes:
 * numeric arrays of 8+ elements become {"$f32": base64} (every value exactly a float32, e.g. model
 * weights) or {"$f64": base64} (little-endian), about 4x / 2x smaller than decimal text; and
 * non-finite numbers, which JSON cannot hold, become {"$num": "NaN" | "Infinity" | "-Infinity"}.
 * Typed arrays (Float32Array, ...) are stored the same way and come back as plain number arrays.
 */

const HEADER = /^\{"streamtune":"checkpoint","bytes":(\d{1,15}),"sha256":"([0-9a-f]{64})","body":/;
const MIN_PACKED = 8;

/**
 * Serializes a checkpoint into the bytes of a checkpoint file (envelope with length and sha256).
 * Throws a non-retriable CheckpointError when the checkpoint is malformed or not serializable.
 *
 * @example
 * await writeFile(path, encodeCheckpoint(cp));
 */
export function encodeCheckpoint(cp: Checkpoint): Buffer {
  const problem = shapeProblem(cp);
  if (problem !== null) throw new CheckpointError(`cannot save checkpoint: ${problem}`);
  let text: string;
  try {
    text = JSON.stringify(cp, pack);
  } catch (error) {
    throw new CheckpointError(`cannot save checkpoint: its state is not JSON-serializable (${(error as Error).message})`, {
      cause: error,
    });
  }
  const body = Buffer.from(text, 'utf8');
  const sha256 = createHash('sha256').update(body).digest('hex');
  const head = Buffer.from(`{"streamtune":"checkpoint","bytes":${body.length},"sha256":"${sha256}","body":`, 'utf8');
  return Buffer.concat([head, body, Buffer.from('}\n', 'utf8')]);
}

/**
 * Parses and verifies the bytes of a checkpoint file. Throws a CheckpointError whose message is
 * the reason when the file is empty, truncated, corrupt (checksum), unparseable or of another format.
 *
 * @example
 * const cp = decodeCheckpoint(await readFile(path));
 */
export function decodeCheckpoint(bytes: Buffer): Checkpoint {
  if (bytes.length === 0) throw new CheckpointError('empty file');
  const header = HEADER.exec(bytes.subarray(0, 200).toString('latin1'));
  if (header === null) throw new CheckpointError('not a streamtune checkpoint (no envelope header): corrupt or foreign file');
  const start = header[0].length;
  const end = start + Number(header[1]);
  if (bytes.length < end + 1) {
    throw new CheckpointError(`truncated: ${bytes.length} bytes, the envelope announces ${end + 1}`);
  }
  if (bytes[end] !== 0x7d /* } */) throw new CheckpointError('corrupt: the envelope does not close after the body');
  const body = bytes.subarray(start, end);
  if (createHash('sha256').update(body).digest('hex') !== header[2]) {
    throw new CheckpointError('corrupt: sha256 of the body does not match the envelope');
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'), unpack);
  } catch (error) {
    throw new CheckpointError(`corrupt: the body is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const problem = shapeProblem(value);
  if (problem !== null) throw new CheckpointError(problem);
  return value as Checkpoint;
}

/** JSON.stringify replacer: packs long numeric arrays and non-finite numbers. */
function pack(_key: string, value: unknown): unknown {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : { $num: String(value) };
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView) && !isBigIntArray(value)) {
    return packNumbers(Array.from(value as unknown as ArrayLike<number>));
  }
  if (Array.isArray(value) && value.length >= MIN_PACKED && value.every((v) => typeof v === 'number')) {
    return packNumbers(value as number[]);
  }
  return value;
}

function packNumbers(values: number[]): unknown {
  if (values.length < MIN_PACKED) return values;
  const f32 = values.every((v) => Object.is(Math.fround(v), v));
  const width = f32 ? 4 : 8;
  const buf = Buffer.alloc(values.length * width);
  values.forEach((v, i) => (f32 ? buf.writeFloatLE(v, i * 4) : buf.writeDoubleLE(v, i * 8)));
  return f32 ? { $f32: buf.toString('base64') } : { $f64: buf.toString('base64') };
}

/** JSON.parse reviver: undoes {@link pack}. */
function unpack(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const only = keys.length === 1 ? (value as Record<string, unknown>)[keys[0] as string] : undefined;
  if (typeof only !== 'string') return value;
  switch (keys[0]) {
    case '$num':
      return Number(only);
    case '$f32':
    case '$f64': {
      const buf = Buffer.from(only, 'base64');
      const width = keys[0] === '$f32' ? 4 : 8;
      return Array.from({ length: Math.floor(buf.length / width) }, (_, i) =>
        width === 4 ? buf.readFloatLE(i * 4) : buf.readDoubleLE(i * 8),
      );
    }
    default:
      return value;
  }
}

function isBigIntArray(view: ArrayBufferView): boolean {
  return view instanceof BigInt64Array || view instanceof BigUint64Array;
}

/** What is wrong with a value that should be a format-1 checkpoint, or null. */
function shapeProblem(value: unknown): string | null {
  const cp = value as Partial<Record<keyof Checkpoint, unknown>> | null;
  if (cp === null || typeof cp !== 'object') return 'not a checkpoint object';
  if (cp.format !== CHECKPOINT_FORMAT) {
    return `format ${JSON.stringify(cp.format)} is not supported (this build reads format ${CHECKPOINT_FORMAT})`;
  }
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
  if (typeof cp.createdAt !== 'string' || Number.isNaN(Date.parse(cp.createdAt))) return 'createdAt is not an ISO date';
  if (typeof cp.configHash !== 'string') return 'configHash is missing';
  const summary = cp.configSummary;
  if (!isObject(summary) || typeof summary.task !== 'string' || !Array.isArray(summary.features)) {
    return 'configSummary is missing or incomplete';
  }
  const records = cp.records;
  if (!isObject(records) || !['total', 'trained', 'holdout', 'rejected'].every((k) => typeof records[k] === 'number')) {
    return 'records counts are missing';
  }
  const hp = cp.hyperParams;
  if (!isObject(hp) || typeof hp.learningRate !== 'number' || typeof hp.l2 !== 'number') return 'hyperParams are missing';
  const positions = cp.positions;
  if (!isObject(positions) || !['kafka', 'file', 'synthetic'].includes(positions.kind as string)) {
    return 'positions are missing or of an unknown kind';
  }
  if (positions.kind === 'kafka' && !Array.isArray(positions.offsets)) return 'positions.offsets is missing';
  if (positions.kind !== 'kafka' && typeof positions.index !== 'number') return 'positions.index is missing';
  const state = cp.state;
  if (!isObject(state)) return 'state is missing';
  const absent = ['trainer', 'scaler', 'evaluator'].find((k) => state[k] === undefined);
  return absent === undefined ? null : `state.${absent} is missing`;
}
