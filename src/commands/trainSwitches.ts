/** A switch of `streamtune train`: a flag without a value that sets one boolean config key. */
export interface TrainSwitch {
  /** Commander's syntax: `--no-metrics`. */
  readonly flag: string;
  /** Commander's attribute name for it (`metrics` for `--no-metrics`). */
  readonly key: string;
  /** The config path it sets, and the value it sets there. */
  readonly path: readonly string[];
  readonly value: boolean;
  /** The environment variable that does the same when it is `true`, if any. */
  readonly env?: string;
  readonly help: string;
}

/**
 * The switches of `streamtune train`. Commander gives a `--no-x` switch the attribute `x`, true
 * unless given, so a switch applies only when its attribute equals `value` (`false` for `--no-x`).
 *
 * @example
 * for (const s of TRAIN_SWITCHES) if (opts[s.key] === s.value) setPath(overrides, s.path, s.value);
 */
export const TRAIN_SWITCHES: readonly TrainSwitch[] = [
  { flag: '--no-metrics', key: 'metrics', path: ['metrics', 'enabled'], value: false, help: 'do not serve /metrics' },
  {
    flag: '--stop-at-end',
    key: 'stopAtEnd',
    path: ['kafka', 'stopAtEnd'],
    value: true,
    env: 'STREAMTUNE_STOP_AT_END',
    help: 'Kafka: stop once every assigned partition is read to the end offset it had at start',
  },
  {
    flag: '--no-tuning',
    key: 'tuning',
    path: ['tuning', 'enabled'],
    value: false,
    help: 'turn the tuning loop off: the learning rate and L2 stay as configured',
  },
  {
    flag: '--serve-predict',
    key: 'servePredict',
    path: ['predict', 'enabled'],
    value: true,
    env: 'STREAMTUNE_SERVE_PREDICT',
    help: 'answer POST /predict on the metrics server with the current model (JSON rows in, predictions and model version out)',
  },
];
