/**
 * A small deterministic random source, so a given seed yields the same ids and durations on
 * every run and in every runtime (`Math.random` cannot be seeded, `crypto` is not reproducible).
 *
 * @example
 * ```ts
 * const pages = random.int(1, 12);
 * ```
 */
export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** A lowercase RFC 9562 version 4 UUID built from this stream. */
  uuid(): string;
}

/**
 * Creates a {@link SeededRandom} (mulberry32: tiny, fast, and good enough for fake ids).
 *
 * @example
 * ```ts
 * const random = createSeededRandom(42);
 * random.uuid(); // the same UUID for seed 42 every time
 * ```
 */
export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const hex = (count: number): string => {
    let out = '';
    for (let i = 0; i < count; i++) out += int(0, 15).toString(16);
    return out;
  };
  return {
    next,
    int,
    uuid: () =>
      // Version nibble 4 and variant bits 10xx, as RFC 9562 section 5.4 requires.
      `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + int(0, 3)).toString(16)}${hex(3)}-${hex(12)}`,
  };
}
