/** Something due at a time: a poll loop, for the scheduler. */
export interface Due {
  readonly dueAt: number;
}

/**
 * A binary min-heap by `dueAt`: one timer for a whole scheduler, not one per watched document.
 * Removal is lazy (the caller skips stopped entries); `compact` drops them in bulk.
 *
 * @example
 * ```ts
 * const heap = new DueHeap<Loop>();
 * heap.push(loop);
 * heap.peek()?.dueAt;
 * ```
 */
export class DueHeap<T extends Due> {
  #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if ((items[parent] as T).dueAt <= item.dueAt) break;
      items[index] = items[parent] as T;
      index = parent;
    }
    items[index] = item;
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && (items[right] as T).dueAt < (items[left] as T).dueAt ? right : left;
      if ((items[child] as T).dueAt >= last.dueAt) break;
      items[index] = items[child] as T;
      index = child;
    }
    items[index] = last;
    return top;
  }

  /** Keeps only the items for which `keep` is true, and restores the heap order. */
  compact(keep: (item: T) => boolean): void {
    const kept = this.#items.filter(keep);
    this.#items = [];
    for (const item of kept) this.push(item);
  }
}
