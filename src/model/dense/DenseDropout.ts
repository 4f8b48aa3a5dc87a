/**
 * Inverted dropout for the dense engine: while training, each value is kept with probability
 * 1 - rate and scaled by 1 / (1 - rate), else zeroed; the mask is kept for the backward pass.
 * Masks come from the layer's own mulberry32 stream, seeded from the spec, so runs repeat.
 *
 * @example
 * const dropout = new DenseDropout(0.2, 12345);
 * dropout.resize(32 * 64);
 * const out = dropout.forward(h, n * 64); // masked copy of h
 * dropout.backward(g, n * 64); // g *= mask
 */
export class DenseDropout {
  readonly rate: number;
  private readonly keepScale: number;
  private state: number;
  private mask = new Float32Array(0);
  private out = new Float32Array(0);

  constructor(rate: number, seed: number) {
    this.rate = rate;
    this.keepScale = 1 / (1 - rate);
    this.state = seed >>> 0;
  }

  /** Makes room for `length` values (a batch of rows times the layer width). */
  resize(length: number): void {
    this.mask = new Float32Array(length);
    this.out = new Float32Array(length);
  }

  /** Draws a fresh mask and returns the masked input (a buffer reused by the next call). */
  forward(input: Float32Array, length: number): Float32Array {
    const mask = this.mask;
    const out = this.out;
    const rate = this.rate;
    const keep = this.keepScale;
    let state = this.state;
    for (let i = 0; i < length; i++) {
      // mulberry32, inlined: a float in [0, 1) per value.
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      const m = u < rate ? 0 : keep;
      mask[i] = m;
      out[i] = input[i]! * m;
    }
    this.state = state;
    return out;
  }

  /** Multiplies the gradient by the last mask, in place. */
  backward(g: Float64Array, length: number): void {
    const mask = this.mask;
    for (let i = 0; i < length; i++) g[i] = g[i]! * mask[i]!;
  }
}
