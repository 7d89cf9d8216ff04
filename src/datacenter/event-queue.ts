/**
 * @module datacenter/event-queue
 * Pending migration completions: a binary heap over parallel arrays ordered by (time, sequence),
 * so completions at the same instant are handled in the order the migrations started, as in
 * CloudSim's future queue.
 */

export class CompletionQueue {
  private time: number[] = [];
  private seq: number[] = [];
  private item: number[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.time.length;
  }

  /** Time of the earliest completion, or Infinity. */
  peek(): number {
    return this.time.length > 0 ? this.time[0] : Infinity;
  }

  push(time: number, item: number): void {
    this.time.push(time);
    this.seq.push(this.nextSeq++);
    this.item.push(item);
    let i = this.time.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  /** Removes and returns the earliest item. */
  pop(): number {
    const top = this.item[0];
    const last = this.time.length - 1;
    this.swap(0, last);
    this.time.pop();
    this.seq.pop();
    this.item.pop();
    let i = 0;
    const n = this.time.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = l + 1 < n && this.less(l + 1, l) ? l + 1 : l;
      if (!this.less(c, i)) break;
      this.swap(c, i);
      i = c;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    return this.time[a] !== this.time[b] ? this.time[a] < this.time[b] : this.seq[a] < this.seq[b];
  }

  private swap(a: number, b: number): void {
    [this.time[a], this.time[b]] = [this.time[b], this.time[a]];
    [this.seq[a], this.seq[b]] = [this.seq[b], this.seq[a]];
    [this.item[a], this.item[b]] = [this.item[b], this.item[a]];
  }
}
