/** One waiting record or early label: key, lane, its number on the lane, its arrival number, event time, deadline (null: not yet known), value. */
export type EntryJson = readonly [key: string, lane: string, laneSeq: number, seq: number, time: number, deadline: number | null, value: unknown];
/** One lane: its name, the latest event time seen on it (null: nothing yet), how many arrived on it. */
export type LaneJson = readonly [lane: string, latest: number | null, count: number];

/**
 * JSON form of a `PendingLabels` (the checkpoint's `state.labels`).
 *
 * @example
 * const snapshot: PendingLabelsSnapshot = pending.snapshot(encodeRecord, encodeLabel);
 */
export interface PendingLabelsSnapshot {
  readonly recordSeq: number;
  readonly recordLanes: readonly LaneJson[];
  readonly labelLanes: readonly LaneJson[];
  readonly records: readonly EntryJson[];
  readonly labels: readonly EntryJson[];
  readonly recent: readonly (readonly [key: string, state: 'joined' | 'expired'])[];
}

