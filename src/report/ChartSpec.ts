/** One line of a chart: (x, y) points in x order; a null y breaks the line. */
export interface Series {
  readonly name: string;
  readonly points: ReadonlyArray<readonly [number, number | null]>;
  readonly color: string;
  readonly dashed?: boolean;
  /** Drawn thicker (the champion of a population). */
  readonly bold?: boolean;
}

/** A vertical line at an x value: a drift detection, a tuning event, a champion change. */
export interface Marker {
  readonly x: number;
  readonly kind: 'drift' | 'tuning' | 'champion';
  /** Shown on hover. */
  readonly label: string;
}

/**
 * What a line chart shows: its series over records, the event markers, and how to draw the lines
 * (`step` for values that change at events, such as hyperparameters).
 *
 * @example
 * const spec: LineChartSpec = { id: 'loss', title: 'Loss', xLabel: 'records', yLabel: 'cross-entropy', series, markers: [] };
 */
export interface LineChartSpec {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly markers: readonly Marker[];
  readonly step?: boolean;
  /** Start the y axis at zero (counts, rates). */
  readonly zero?: boolean;
}

/** A horizontal bar chart: one bar per label. */
export interface BarChartSpec {
  readonly id: string;
  readonly title: string;
  readonly bars: ReadonlyArray<{ readonly label: string; readonly value: number }>;
  /** Shown instead of the bars when there are none. */
  readonly empty: string;
}
