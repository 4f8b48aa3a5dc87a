/**
 * A min-heap of items by due position: `popDue(at)` takes every item due at or before `at`, earliest
 * first, and items due at the same position in the order they were pushed (a binary heap on
 * `(due, push order)`, O(log n) per push and pop).
 *
 * @example
 * const queue = new DueQueue<string>();
 * queue.push(5, 'b'); queue.push(2, 'a'); queue.push(5, 'c');
 * queue.popDue(4); // ['a']
 * queue.popDue(Infinity); // ['b', 'c']
 */
export class DueQueue<T> {
  private readonly heap: Array<{ due: number; order: number; item: T }> = [];
  private pushed = 0;

  get size(): number {
    return this.heap.length;
  }

  push(due: number, item: T): void {
    const heap = this.heap;
    heap.push({ due, order: this.pushed++, item });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the items due at or before `at`, in due order (ties: push order). */
  popDue(at: number): T[] {
    const out: T[] = [];
    while (this.heap.length > 0 && this.heap[0]!.due <= at) out.push(this.pop());
    return out;
  }

  private pop(): T {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < heap.length && this.before(left, least)) least = left;
        if (right < heap.length && this.before(right, least)) least = right;
        if (least === i) break;
        this.swap(i, least);
        i = least;
      }
    }
    return top.item;
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.due < y.due || (x.due === y.due && x.order < y.order);
  }

  private swap(a: number, b: number): void {
    const heap = this.heap;
    [heap[a], heap[b]] = [heap[b]!, heap[a]!];
  }
}
