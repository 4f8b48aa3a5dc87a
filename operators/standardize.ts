import { defer, map, type OperatorFunction } from 'rxjs';
import { Standardizer, type StandardizerSettings } from '../src/stats/Standardizer.js';
import type { RoutedSample, ScaledSample } from '../src/types.js';

/**
 * Standardizes routed samples with online running moments. A train sample first updates the
 * scaler with (x, y), then is transformed (River's learn_one-then-transform_one); a holdout sample
 * is only transformed, so it never changes the statistics. With `state` the caller's scaler is used
 * (and can be snapshotted; `settings` are then those it was built with); without it each
 * subscription gets a fresh `Standardizer(settings)`.
 *
 * @example
 * routed$.pipe(standardize({ dim: 8, clip: 5, standardizeTarget: true }));
 */
export function standardize(
  settings: StandardizerSettings,
  state?: Standardizer,
): OperatorFunction<RoutedSample, ScaledSample> {
  return (source) =>
    defer(() => {
      const scaler = state ?? new Standardizer(settings);
      const scaleTarget = scaler.settings.standardizeTarget;
      return source.pipe(
        map((sample): ScaledSample => {
          if (sample.split === 'train') scaler.update(sample.x, sample.y);
          const targetShift = scaler.targetShift;
          const targetScale = scaler.targetScale;
          return {
            index: sample.index,
            position: sample.position,
            key: sample.key,
            x: sample.x,
            y: sample.y,
            time: sample.time,
            split: sample.split,
            z: scaler.transform(sample.x),
            target: scaleTarget ? (sample.y - targetShift) / targetScale : sample.y,
            targetShift,
            targetScale,
          };
        }),
      );
    });
}
