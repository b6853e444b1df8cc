import type { ScheduledLoop } from './scheduled-loop.ts';

/** One client's loops waiting for a first answer: the one that polls, and the ones held back. */
interface FirstPollGroup {
  readonly pioneer: ScheduledLoop;
  readonly held: Set<ScheduledLoop>;
}

/**
 * First polls held back behind a sibling's, per client. The request a document belongs to is only
 * known from an answer, and documents watched together (`watchMany`, the CLI) usually share one:
 * so while one new document of a client waits for its first answer (the pioneer), the client's
 * next new documents wait with it instead of each making a poll of its own. When the pioneer's
 * answer names a request, one request poll answers for every held document it lists (the rest
 * then poll on their own); when it names none, they all poll on their own at once. Bookkeeping
 * only; the scheduler runs the polls. One round per group: documents released by it never wait
 * again, so documents of many different requests cost at most one extra round trip.
 *
 * @example
 * ```ts
 * const loopOf = (documentId: string) =>
 *   new ScheduledLoop(client, documentId, createWatchState(documentSource(client, documentId, estimator), options), () => {});
 * const firstPolls = new FirstPolls();
 * const pioneer = loopOf(id);
 * firstPolls.hold(pioneer); // false: it polls
 * firstPolls.hold(loopOf(newId)); // true: it waits for the pioneer's first answer
 * const held = firstPolls.settle(pioneer); // the answer came: [the loop of newId]
 * ```
 */
export class FirstPolls {
  readonly #byClient = new WeakMap<object, FirstPollGroup>();

  /**
   * A new loop with nothing known: `true` when it waits for a sibling's first answer (do not
   * queue it), `false` when it is the one that polls (queue it now).
   */
  hold(loop: ScheduledLoop): boolean {
    const group = this.#byClient.get(loop.client);
    if (group !== undefined && !group.pioneer.stopped && group.pioneer.state.last === undefined) {
      group.held.add(loop);
      return true;
    }
    // A group whose pioneer is done keeps what still waits (never dropped): the new pioneer
    // leads it, and its first answer settles them all.
    this.#byClient.set(loop.client, { pioneer: loop, held: group?.held ?? new Set() });
    return false;
  }

  /** Whether `loop` waits for a sibling's first answer. */
  isHeld(loop: ScheduledLoop): boolean {
    return this.#byClient.get(loop.client)?.held.has(loop) ?? false;
  }

  /**
   * The pioneer has its first answer, or stopped: ends its group and gives the loops that waited
   * for it (none when `loop` leads no group).
   */
  settle(loop: ScheduledLoop): ScheduledLoop[] {
    const group = this.#byClient.get(loop.client);
    if (group === undefined || group.pioneer !== loop) return [];
    this.#byClient.delete(loop.client);
    return [...group.held];
  }

  /** Forgets a held loop that stopped. */
  forget(loop: ScheduledLoop): void {
    this.#byClient.get(loop.client)?.held.delete(loop);
  }
}
