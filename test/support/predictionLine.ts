/** One line of `--predictions` / one message value of `--predictions-topic`, as tests read them back. */
export interface PredictionLine {
  position: string;
  key?: string;
  prediction: number;
  probabilities?: number[];
  version: number;
  split: 'train' | 'holdout';
}
