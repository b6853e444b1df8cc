/**
 * A FIFO queue of loops whose poll is due and waits for a slot and a token. An array with a head
 * index (amortized O(1) `shift`, compacted now and then), since 10,000 due loops are routine.
 *
 * @example
 * ```ts
 * const ready = new ReadyQueue<Loop>();
 * ready.push(loop);
 * const next = ready.peek();
 * ```
 */
export class ReadyQueue<T> {
  #items: T[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The first item, left in place; `undefined` when empty. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Keeps only the items `keep` accepts, in order. */
  compact(keep: (item: T) => boolean): void {
    this.#items = this.#items.slice(this.#head).filter(keep);
    this.#head = 0;
  }

  /** Removes and returns the first item. */
  shift(): T | undefined {
    const item = this.#items[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }
}
