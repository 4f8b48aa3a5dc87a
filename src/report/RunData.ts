/** A periodic line of the metrics log (or a checkpoint made into one): plain JSON with a record count. */
export type MetricsLine = Readonly<Record<string, unknown>> & { readonly records: number };

/** A drift detection or tuning event at a record count. */
export interface RunEvent {
  readonly records: number;
  /** One line for a tooltip and the events table. */
  readonly label: string;
  readonly time?: string;
}

/**
 * Everything a report shows, read from a metrics log (and a run summary) or a checkpoint directory.
 *
 * @example
 * const run: RunData = { title: 'elec2.csv', lines, drifts, tuning, notes: [] };
 */
export interface RunData {
  readonly title: string;
  /** The periodic lines, in record order. */
  readonly lines: readonly MetricsLine[];
  readonly drifts: readonly RunEvent[];
  readonly tuning: readonly RunEvent[];
  /** The end-of-run summary (`--summary-json`), when there is one. */
  readonly summary?: Readonly<Record<string, unknown>>;
  /** What the reader had to leave out or assume, shown under the title. */
  readonly notes: readonly string[];
}
