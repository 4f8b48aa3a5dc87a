import type { z } from 'zod';
import { DriftDetectorBase } from './DriftDetectorBase.js';

/**
 * A drift detector that also warns (River's `DriftAndWarningDetector`): `warningDetected` is set
 * by `step()` returning `{ drift, warning }`, cleared with the drift flag, and snapshotted with it.
 *
 * @example
 * class Ddm extends DriftAndWarningDetectorBase<typeof schema, State, DdmSnapshot> {
 *   protected step(x: number) { ...; return { drift, warning: warning && !drift }; }
 * }
 */
export abstract class DriftAndWarningDetectorBase<
  Schema extends z.ZodType<object, object>,
  State,
  Snapshot extends object,
> extends DriftDetectorBase<Schema, State, Snapshot> {
  /** True while the detector is in its warning zone. */
  get warningDetected(): boolean {
    return this.warning;
  }
}
