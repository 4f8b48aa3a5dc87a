import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { DriftDetector } from './DriftDetector.js';
import { SnapshotReader } from './SnapshotReader.js';

/** What one {@link DriftDetectorBase.step} found: a drift or not, or both flags; a flag left out keeps its value. */
export type StepResult = boolean | { readonly drift: boolean; readonly warning?: boolean };

/** Settings schemas are zod objects (built from `setting`): defaults, ranges and the settings type in one place. */
type SettingsSchema = z.ZodType<object, object>;

/**
 * The shared contract of the drift detectors, as River's `base.DriftDetector`: settings validated
 * against a zod schema (a ConfigError names the detector, the field and the allowed values), the
 * `driftDetected` flag, the start afresh on the update after a detection, non-finite inputs
 * skipped, `reset()`, and snapshots made of the learned state plus the flags. A detector supplies
 * its algorithm: `initial()` (its fresh state), `step(x)` (learn one value, say what was found),
 * `stats()`, and `save()` / `load()` (its state as JSON and back).
 *
 * @example
 * class Threshold extends DriftDetectorBase<typeof schema, { n: number }, { n: number; driftDetected: boolean }> {
 *   constructor(settings: z.input<typeof schema> = {}) { super('threshold', schema, settings); }
 *   protected initial() { return { n: 0 }; }
 *   protected step(x: number) { this.state.n += 1; return x > this.settings.limit; }
 *   stats() { return { n: this.state.n }; }
 *   protected save() { return { n: this.state.n }; }
 *   protected load(read: SnapshotReader) { return { n: read.count('n') }; }
 * }
 */
export abstract class DriftDetectorBase<Schema extends SettingsSchema, State, Snapshot extends object>
  implements DriftDetector
{
  readonly name: string;
  readonly settings: Readonly<z.output<Schema>>;
  /** True for River's `drift.binary` detectors, which watch 0/1 errors rather than any value. */
  readonly binary: boolean = false;
  /** The learned state: `initial()` after construction, `reset()` and a drift, `load()` after a restore. */
  protected state: State;
  #drift = false;
  #warning = false;

  /** `initial()` is called here, before the subclass's fields exist: it may read `this.settings` only. */
  protected constructor(name: string, schema: Schema, settings: unknown) {
    this.name = name;
    this.settings = Object.freeze(parseSettings(name, schema, settings ?? {}));
    this.state = this.initial();
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  /** The warning flag; public as `warningDetected` on {@link DriftAndWarningDetectorBase}. */
  protected get warning(): boolean {
    return this.#warning;
  }

  update(x: number): void {
    if (this.#drift) this.#startFrom(this.afterDrift()); // River starts afresh on the update after a detection
    if (!Number.isFinite(x)) return;
    const found = this.step(x);
    this.#drift = typeof found === 'boolean' ? found : found.drift;
    if (typeof found !== 'boolean' && found.warning !== undefined) this.#warning = found.warning;
  }

  reset(): void {
    this.#startFrom(this.initial());
  }

  snapshot(): Snapshot {
    const flags = this.#hasWarning() ? { driftDetected: this.#drift, warningDetected: this.#warning } : { driftDetected: this.#drift };
    return { ...this.save(), ...flags } as Snapshot;
  }

  /** Reads the whole snapshot before changing anything: a corrupt one throws a CheckpointError and leaves the detector as it was. */
  restore(snapshot: unknown): void {
    const read = new SnapshotReader(this.name, snapshot);
    const state = this.load(read);
    const drift = read.boolean('driftDetected');
    const warning = this.#hasWarning() ? read.boolean('warningDetected') : false;
    this.state = state;
    this.#drift = drift;
    this.#warning = warning;
  }

  abstract stats(): Record<string, number>;

  /** The state right after construction and `reset()`. */
  protected abstract initial(): State;

  /** The state the update after a detection starts from (River's `_reset`): by default `initial()`. */
  protected afterDrift(): State {
    return this.initial();
  }

  /** Learns one finite value; returns whether a drift was detected (or both flags). */
  protected abstract step(x: number): StepResult;

  /** The learned state as plain JSON, without the flags (added by `snapshot()`). */
  protected abstract save(): Omit<Snapshot, 'driftDetected' | 'warningDetected'>;

  /** Reads and checks a state written by `save()`; must not change the detector (`restore()` does). */
  protected abstract load(read: SnapshotReader): State;

  #startFrom(state: State): void {
    this.state = state;
    this.#drift = false;
    this.#warning = false;
  }

  /** Detectors that warn expose `warningDetected` (River's `DriftAndWarningDetector`). */
  #hasWarning(): boolean {
    return 'warningDetected' in this;
  }
}

/** Parses the settings, defaults filled in; the first problem throws a ConfigError naming the field and what it must be. */
function parseSettings<Schema extends SettingsSchema>(name: string, schema: Schema, settings: unknown): z.output<Schema> {
  const parsed = schema.safeParse(settings);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  if (issue.code === 'unrecognized_keys') {
    const known = 'shape' in schema ? Object.keys(schema.shape as object).join(', ') : '';
    throw new ConfigError(`${name}: no setting ${issue.keys.map((k) => `"${k}"`).join(', ')}; its settings are ${known}`);
  }
  const field = String(issue.path[0] ?? 'settings');
  const given = issue.path.length === 0 ? settings : (settings as Record<string, unknown>)[field];
  throw new ConfigError(`${name}: "${field}" must be ${issue.message}, got ${show(given)}`);
}

function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value)?.slice(0, 80) ?? String(value));
}
