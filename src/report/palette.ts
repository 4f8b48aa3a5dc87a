/**
 * Colors of the report: fixed ones for the splits and baselines, and a cycle for population members.
 *
 * @example
 * PALETTE.train; // '#1f77b4'
 * PALETTE.cycle[3];
 */
export const PALETTE = {
  train: '#1f77b4',
  holdout: '#ff7f0e',
  baselines: ['#2ca02c', '#7f7f7f', '#8c564b', '#e377c2'],
  drift: '#d62728',
  tuning: '#9467bd',
  champion: '#111111',
  single: '#17becf',
  cycle: ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'],
} as const;
