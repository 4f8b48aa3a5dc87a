import { ConfigError } from '../errors.js';
import { Adwin, type AdwinSettings } from './Adwin.js';
import { Ddm, type DdmSettings } from './Ddm.js';
import type { DriftDetector } from './DriftDetector.js';
import { Eddm, type EddmSettings } from './Eddm.js';
import { Kswin, type KswinSettings } from './Kswin.js';
import { PageHinkley, type PageHinkleySettings } from './PageHinkley.js';

/** Which detector to build and its settings (River's parameter names in camelCase, River's defaults). */
export type DetectorSpec =
  | ({ readonly type: 'pageHinkley' } & PageHinkleySettings)
  | ({ readonly type: 'adwin' } & AdwinSettings)
  | ({ readonly type: 'ddm' } & DdmSettings)
  | ({ readonly type: 'eddm' } & EddmSettings)
  | ({ readonly type: 'kswin' } & KswinSettings);

/** The detector kinds {@link createDetector} knows. */
export const DETECTOR_TYPES = ['pageHinkley', 'adwin', 'ddm', 'eddm', 'kswin'] as const satisfies readonly DetectorSpec['type'][];

/**
 * Builds a drift detector from a plain spec; unknown types and bad settings throw a ConfigError.
 *
 * @example
 * const detector = createDetector({ type: 'adwin', delta: 0.01 });
 * detector.update(0.3);
 */
export function createDetector(spec: DetectorSpec): DriftDetector {
  const detector = build(spec);
  const unknown = Object.keys(spec).filter((key) => key !== 'type' && !(key in detector.settings));
  if (unknown.length > 0) {
    throw new ConfigError(
      `createDetector: ${spec.type} has no setting ${unknown.map((k) => `"${k}"`).join(', ')}; ` +
        `its settings are ${Object.keys(detector.settings).join(', ')}`,
    );
  }
  return detector;
}

function build(spec: DetectorSpec): DriftDetector {
  const { type, ...settings } = spec;
  switch (type) {
    case 'pageHinkley':
      return new PageHinkley(settings as PageHinkleySettings);
    case 'adwin':
      return new Adwin(settings as AdwinSettings);
    case 'ddm':
      return new Ddm(settings as DdmSettings);
    case 'eddm':
      return new Eddm(settings as EddmSettings);
    case 'kswin':
      return new Kswin(settings as KswinSettings);
    default:
      throw new ConfigError(
        `createDetector: "type" must be one of ${DETECTOR_TYPES.join(', ')}, got ${JSON.stringify(type as unknown)}`,
      );
  }
}
