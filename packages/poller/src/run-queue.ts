import type { PollerClock } from './clock.ts';
import { DueHeap } from './due-heap.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { ReadyQueue } from './ready-queue.ts';
import { WakeTimer } from './wake-timer.ts';

/**
 * Something the scheduler polls: a document's loop or a request batch. `ticket` changes each time
 * it is queued anew (or joins a batch), so older queue entries for it are known to be stale.
 *
 * @example
 * ```ts
 * const runnable: Runnable = { ticket: 0, stopped: false };
 * ```
 */
export interface Runnable {
  ticket: number;
  readonly stopped: boolean;
}

interface Entry<T extends Runnable> {
  readonly dueAt: number;
  readonly target: T;
  readonly ticket: number;
  /** Served before the others once due. */
  readonly first: boolean;
}

/**
 * When each poll runs: a min-heap of wake-up times, FIFO queues of polls that are due and wait
 * for a concurrency slot and a token (request batches first: one of their polls serves many
 * documents), and one timer for the whole scheduler that sleeps until the next poll is due or the
 * next token arrives.
 *
 * @example
 * ```ts
 * const target: Runnable = { ticket: 0, stopped: false };
 * // `start` runs a due poll once it has a slot and a token; it gives the slot back when done.
 * const start = () => void fetchSomething().finally(() => queue.release());
 * const countLive = () => (target.stopped ? 0 : 1);
 * const queue = new RunQueue<Runnable>(clock, limiter, 10, start, countLive);
 * queue.at(target, clock.now() + 1_000);
 * ```
 */
export class RunQueue<T extends Runnable> {
  readonly #clock: PollerClock;
  readonly #limiter: RateLimiter;
  readonly #concurrency: number;
  readonly #start: (target: T) => void;
  readonly #countLive: () => number;
  readonly #due = new DueHeap<Entry<T>>();
  readonly #ready = new ReadyQueue<Entry<T>>();
  readonly #readyFirst = new ReadyQueue<Entry<T>>();
  /**
   * The ticket of each target's live entry in a ready queue. A target queued anew or dropped
   * leaves it at once, so a poll nobody needs any more is not counted and keeps no timer armed
   * for a token (its stale entry is skipped, or trimmed, later).
   */
  readonly #queued = new Map<T, number>();
  readonly #timer: WakeTimer;
  #closed = false;

  /**
   * `start` runs a poll that got a slot and a token, and must `release()` the slot when done;
   * `countLive` tells how many targets are live (to know when stale entries pile up).
   */
  constructor(
    clock: PollerClock,
    limiter: RateLimiter,
    concurrency: number,
    start: (target: T) => void,
    countLive: () => number,
  ) {
    this.#clock = clock;
    this.#limiter = limiter;
    this.#concurrency = concurrency;
    this.#start = start;
    this.#countLive = countLive;
    this.#timer = new WakeTimer(clock, () => this.#tick());
  }

  /** Polls that are due and wait for a slot or a token. */
  get queued(): number {
    return this.#queued.size;
  }

  /**
   * Queues `target` to poll at `at` (epoch ms), replacing any earlier entry for it; once due,
   * `first` goes before the rest.
   */
  at(target: T, at: number, first = false): void {
    this.#due.push({ dueAt: at, target, ticket: this.#renew(target), first });
    this.#arm();
  }

  /** Queues `target` to poll as soon as a slot and a token allow; `first` goes before the rest. */
  now(target: T, first = false): void {
    this.#push({ dueAt: 0, target, ticket: this.#renew(target), first });
    this.#dispatch();
    this.#arm();
  }

  /** Forgets every entry for `target` (it joined a batch, or stopped). */
  drop(target: T): void {
    this.#renew(target);
    // Stale entries leave the heap and the ready queues lazily; drop them in bulk before they
    // pile up, so a stopped loop (and its last status) is not held until its far-off wake-up
    // time, or until a token lets the queue move.
    const live = (entry: Entry<T>) => this.#isLive(entry);
    if (this.#due.size > 64 && this.#due.size > 2 * this.#countLive()) this.#due.compact(live);
    const staleReady = this.#ready.size + this.#readyFirst.size - this.#queued.size;
    if (staleReady > 64 && staleReady > this.#queued.size) {
      this.#ready.compact(live);
      this.#readyFirst.compact(live);
    }
    // Its wake-up may be the one the timer waits for: re-arm, so nothing stays pending for it.
    this.#arm();
  }

  /** A poll ended: gives back its slot and starts what waits for it. */
  release(): void {
    this.#limiter.release();
    this.#dispatch();
    this.#arm();
  }

  /** Stops the timer for good. */
  close(): void {
    this.#closed = true;
    this.#timer.cancel();
  }

  #isLive(entry: Entry<T>): boolean {
    return !entry.target.stopped && entry.ticket === entry.target.ticket;
  }

  /** A new ticket for `target`: its older entries are stale, and it is no longer queued. */
  #renew(target: T): number {
    this.#queued.delete(target);
    return ++target.ticket;
  }

  /** Puts a due entry in its ready queue. */
  #push(entry: Entry<T>): void {
    (entry.first ? this.#readyFirst : this.#ready).push(entry);
    this.#queued.set(entry.target, entry.ticket);
  }

  #arm(): void {
    while (this.#due.peek() !== undefined && !this.#isLive(this.#due.peek() as Entry<T>))
      this.#due.pop();
    for (const ready of [this.#readyFirst, this.#ready]) {
      while (ready.peek() !== undefined && !this.#isLive(ready.peek() as Entry<T>)) ready.shift();
    }
    let at = this.#due.peek()?.dueAt ?? Number.POSITIVE_INFINITY;
    if (this.queued > 0 && this.#limiter.inFlight < this.#concurrency)
      at = Math.min(at, this.#clock.now() + this.#limiter.msUntilToken());
    this.#timer.set(this.#closed ? Number.POSITIVE_INFINITY : at);
  }

  #tick(): void {
    const now = this.#clock.now();
    for (
      let top = this.#due.peek();
      top !== undefined && top.dueAt <= now;
      top = this.#due.peek()
    ) {
      this.#due.pop();
      if (this.#isLive(top)) this.#push(top);
    }
    this.#dispatch();
    this.#arm();
  }

  #dispatch(): void {
    for (const queue of [this.#readyFirst, this.#ready]) {
      for (let next = queue.peek(); next !== undefined; next = queue.peek()) {
        const live = this.#isLive(next);
        if (live && !this.#limiter.tryAcquire()) return;
        queue.shift();
        if (this.#queued.get(next.target) === next.ticket) this.#queued.delete(next.target);
        if (live) this.#start(next.target);
      }
    }
  }
}
