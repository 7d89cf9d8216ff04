/**
 * @module core/thinned-series
 * A time series of bounded size for results: rows are kept at a stride that doubles whenever the
 * kept rows reach the limit (every other row is dropped then), and the last row is always kept. The
 * rows kept depend only on how many were added, so a run's series is deterministic; a cumulative
 * quantity stays exact at every kept time.
 */
export class ThinnedSeries<Row extends readonly number[]> {
  readonly #rows: Row[] = [];
  #stride = 1;
  #added = 0;
  #last: Row | null = null;

  constructor(readonly limit = 256) {
    if (!(limit >= 2)) throw new RangeError(`ThinnedSeries: limit must be >= 2, got ${limit}`);
  }

  add(row: Row): void {
    if (this.#added++ % this.#stride === 0) {
      this.#rows.push(row);
      if (this.#rows.length >= this.limit) {
        let kept = 0;
        for (let i = 0; i < this.#rows.length; i += 2) this.#rows[kept++] = this.#rows[i];
        this.#rows.length = kept;
        this.#stride *= 2;
      }
    }
    this.#last = row;
  }

  /** The kept rows, with the last row added (at most limit rows). */
  rows(): Row[] {
    const rows = this.#rows.slice();
    if (this.#last !== null && rows[rows.length - 1] !== this.#last) rows.push(this.#last);
    return rows;
  }
}
