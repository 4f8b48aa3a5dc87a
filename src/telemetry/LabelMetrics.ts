import { Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Metrics of labels that arrive later (docs/delayed-labels.md): the records waiting for their
 * label (read at scrape time) and the label delay of each joined record, in feature records that
 * arrived in between and in event-time seconds. Registered always (docs list them); observed only
 * with `labels.source`.
 *
 * @example
 * const metrics = new LabelMetrics(telemetry.registry);
 * metrics.track(join); // join.onJoined feeds the histograms, join.pending the gauge
 */
export class LabelMetrics {
  #pendingOf: () => number | undefined = () => undefined;
  readonly #pending: Gauge;
  readonly #delayRecords: Histogram;
  readonly #delaySeconds: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#pending = new Gauge({
      name: 'streamtune_labels_pending',
      help: 'Feature records predicted and waiting for their label (labels.source); bounded by labels.maxPending, part of the checkpoint.',
      registers,
      collect: () => {
        const pending = this.#pendingOf();
        if (pending !== undefined) this.#pending.set(pending);
      },
    });
    this.#delayRecords = new Histogram({
      name: 'streamtune_label_delay_records',
      help: 'Label delay of each joined record: feature records that arrived between it and its label (0: the label came first).',
      buckets: [0, 1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 50_000, 100_000],
      registers,
    });
    this.#delaySeconds = new Histogram({
      name: 'streamtune_label_delay_seconds',
      help: "Label delay of each joined record in event time: the label's timestamp minus its record's (0 when the label came first).",
      buckets: [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 21_600, 86_400],
      registers,
    });
  }

  /** Reads the waiting set's size at scrape time and observes each join's delay. */
  track(join: { readonly pending: number; onJoined: ((records: number, seconds: number) => void) | undefined }): void {
    this.#pendingOf = () => join.pending;
    join.onJoined = (records, seconds) => {
      this.#delayRecords.observe(records);
      this.#delaySeconds.observe(seconds);
    };
  }
}
