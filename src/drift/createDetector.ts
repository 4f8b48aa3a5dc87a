import { ConfigError } from '../errors.js';
import { Adwin } from './Adwin.js';
import { Ddm } from './Ddm.js';
import type { DriftDetector } from './DriftDetector.js';
import { Eddm } from './Eddm.js';
import { HddmA } from './HddmA.js';
import { Kswin } from './Kswin.js';
import { PageHinkley } from './PageHinkley.js';

/** Every detector kind, by the `type` a config names it with. */
const DETECTORS = {
  pageHinkley: PageHinkley,
  adwin: Adwin,
  ddm: Ddm,
  eddm: Eddm,
  kswin: Kswin,
  hddmA: HddmA,
} as const;

type Detectors = typeof DETECTORS;

/** Which detector to build and its settings (River's parameter names in camelCase, River's defaults). */
export type DetectorSpec = {
  [K in keyof Detectors]: { readonly type: K } & NonNullable<ConstructorParameters<Detectors[K]>[0]>;
}[keyof Detectors];

/** The detector kinds {@link createDetector} knows. */
export const DETECTOR_TYPES = Object.keys(DETECTORS) as [keyof Detectors, ...(keyof Detectors)[]];

/**
 * Builds a drift detector from a plain spec; unknown types and bad or unknown settings throw a ConfigError.
 *
 * @example
 * const detector = createDetector({ type: 'adwin', delta: 0.01 });
 * detector.update(0.3);
 */
export function createDetector(spec: DetectorSpec): DriftDetector {
  const { type, ...settings } = spec;
  if (!Object.hasOwn(DETECTORS, type)) {
    throw new ConfigError(
      `createDetector: "type" must be one of ${DETECTOR_TYPES.join(', ')}, got ${JSON.stringify(type as unknown)}`,
    );
  }
  const Detector = DETECTORS[type] as new (settings: object) => DriftDetector;
  return new Detector(settings);
}
