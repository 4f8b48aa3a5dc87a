/**
 * An online concept-drift detector: fed one value per step (a loss, or a 0/1 error for the
 * binary detectors), it raises `driftDetected` right after the update that detected a change,
 * like River's `drift_detected`. As in River, the detector starts afresh on the update that
 * follows a detection. Settings are constructor arguments; `snapshot()` holds only learned state.
 *
 * A non-finite `x` (the NaN loss of a diverged step) is skipped: it changes no statistic, but it
 * counts as an update that detected no drift, so a pending drift flag is cleared (and the restart
 * that follows a drift takes place); a warning flag is left as it was.
 *
 * `DriftDetectorBase` (src/drift/DriftDetectorBase.ts) implements all of this; a detector supplies only its algorithm.
 *
 * @example
 * const detector: DriftDetector = new PageHinkley();
 * for (const loss of losses) {
 *   detector.update(loss);
 *   if (detector.driftDetected) alert(detector.name, detector.stats());
 * }
 */
export interface DriftDetector {
  /** The detector's kind, as in {@link DetectorSpec}'s `type` (`pageHinkley`, `adwin`, ...). */
  readonly name: string;
  /** True for detectors of 0/1 errors (River's `drift.binary`: DDM, EDDM, HDDM_A), false for any value. */
  readonly binary: boolean;
  /** The settings in force, defaults filled in (River's parameter names in camelCase). */
  readonly settings: Readonly<Record<string, unknown>>;
  /** Feeds one value. */
  update(x: number): void;
  /** True right after the update that detected a drift. */
  readonly driftDetected: boolean;
  /** True while the detector is in its warning zone (detectors that have one). */
  readonly warningDetected?: boolean;
  /** Forgets everything learned: back to the state right after construction. */
  reset(): void;
  /** The learned state as plain JSON (no settings). */
  snapshot(): unknown;
  /** Replaces the learned state with one taken by `snapshot()` of a detector of the same kind and settings. */
  restore(snapshot: unknown): void;
  /** Internal statistics for dashboards (e.g. Page-Hinkley's cumulative sums, ADWIN's width and mean). */
  stats(): Record<string, number>;
}
