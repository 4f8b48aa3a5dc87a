/**
 * Counts what a fuzz test tried, for the one-line figure it prints at the end.
 *
 * @example
 * const tally = new FuzzTally('file sources');
 * tally.files++; tally.records += 40; tally.bad += 9;
 * console.log(tally.line()); // 'fuzz file sources: 1 files, 40 records checked, 9 bad inputs, 0 losses'
 */
export class FuzzTally {
  files = 0;
  records = 0;
  bad = 0;
  /** Records neither learned, scored nor rejected (or handled twice): must stay 0. */
  losses = 0;
  /** Bad records by the reason they were rejected with. */
  readonly reasons = new Map<string, number>();

  constructor(readonly name: string) {}

  countReason(reason: string): void {
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }

  line(): string {
    const n = (x: number): string => x.toLocaleString('en-US');
    const reasons = [...this.reasons].sort((a, b) => b[1] - a[1]).map(([r, c]) => `${r} ${n(c)}`);
    return (
      `fuzz ${this.name}: ${n(this.files)} files, ${n(this.records)} records checked, ${n(this.bad)} bad inputs, ${n(this.losses)} losses` +
      (reasons.length > 0 ? ` (${reasons.join(', ')})` : '')
    );
  }
}
