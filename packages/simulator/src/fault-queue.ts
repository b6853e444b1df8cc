import type { FaultRoute, SimulatorFault } from './simulator-fault.ts';

/**
 * A fault in the queue, with its id and the uses it has left.
 *
 * @example
 * ```ts
 * const queued: QueuedFault | undefined = faults.match('document-status', id);
 * ```
 */
export interface QueuedFault {
  readonly id: string;
  readonly fault: SimulatorFault;
  remaining: number;
}

/**
 * The injected faults, in the order they were set. The first fault that matches a request wins
 * (FIFO), and leaves the queue when its `times` are used up.
 *
 * @example
 * ```ts
 * const queued = faults.match('request-status', requestId);
 * if (queued !== undefined) faults.consume(queued);
 * ```
 */
export interface FaultQueue {
  /** Adds a fault and returns its id. */
  add(fault: SimulatorFault): string;
  /** The first fault matching `route` and `id`, without using it. */
  match(route: Exclude<FaultRoute, '*'>, id: string): QueuedFault | undefined;
  /** Uses one of the fault's `times`. */
  consume(queued: QueuedFault): void;
  /** Removes one fault; `false` if it was not there. */
  remove(id: string): boolean;
  clear(): void;
}

/**
 * Creates an empty {@link FaultQueue}.
 *
 * @example
 * ```ts
 * const faults = createFaultQueue();
 * faults.add({ kind: 'html', times: 1 });
 * ```
 */
export function createFaultQueue(): FaultQueue {
  let queue: QueuedFault[] = [];
  let nextId = 1;
  return {
    add(fault) {
      const id = `fault_${nextId++}`;
      queue.push({ id, fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
      return id;
    },
    match(route, id) {
      return queue.find(
        ({ fault }) =>
          (fault.route === undefined || fault.route === '*' || fault.route === route) &&
          (fault.id === undefined || fault.id === id),
      );
    },
    consume(queued) {
      queued.remaining -= 1;
      if (queued.remaining <= 0) queue = queue.filter((entry) => entry !== queued);
    },
    remove(id) {
      const before = queue.length;
      queue = queue.filter((entry) => entry.id !== id);
      return queue.length < before;
    },
    clear() {
      queue = [];
    },
  };
}
