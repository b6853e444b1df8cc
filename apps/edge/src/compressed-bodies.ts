/** Options of {@link createCompressedBodies}. */
export interface CompressedBodiesOptions {
  /** Bodies kept compressed at most (least recently used dropped first). Default 10 000. */
  readonly maxEntries?: number;
  /**
   * Bytes of compressed copies kept at most (least recently used dropped first; a copy larger
   * than this is served but not kept). Default 32 MiB.
   */
  readonly maxBytes?: number;
  /** Bodies shorter than this (bytes of UTF-8) are never compressed: gzip gains little. Default 512. */
  readonly minBytes?: number;
  /** Compresses bytes. Default: `CompressionStream('gzip')` (Web API), looked up when called. */
  readonly gzip?: (bytes: Uint8Array<ArrayBuffer>) => Promise<Uint8Array<ArrayBuffer>>;
}

/** Gzipped copies of cached bodies; see {@link createCompressedBodies}. */
export interface CompressedBodies {
  /**
   * Starts compressing `body` unless a copy for `etag` exists or is under way (or the body is too
   * small). Call it when an entry is stored: compression happens once per body, never per hit.
   */
  prepare(etag: string, body: string): void;
  /**
   * The gzipped copy of `body` (under `etag`): the stored one, or, for an entry this instance did
   * not store (another instance of a fleet did), one made now and kept. Undefined for a body too
   * small to compress, or when compression failed.
   */
  gzipped(etag: string, body: string): Promise<Uint8Array<ArrayBuffer> | undefined>;
  /**
   * What {@link CompressedBodies.gzipped} gives, without a promise once the copy is settled (the
   * cache-hit shortcut answers synchronously with it); the promise while it is being made.
   */
  gzippedNow(
    etag: string,
    body: string,
  ): Uint8Array<ArrayBuffer> | undefined | Promise<Uint8Array<ArrayBuffer> | undefined>;
}

/** One body's copy: the promise, and once it settled, its outcome (for `gzippedNow`). */
interface Copy {
  readonly made: Promise<Uint8Array<ArrayBuffer> | undefined>;
  settled: boolean;
  bytes: Uint8Array<ArrayBuffer> | undefined;
}

const encoder = new TextEncoder();

async function gzipWithStreams(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * The proxy's response compression, for runtimes whose server does not compress (Node, Bun;
 * Workers and Deno compress by themselves): each cached JSON body is gzipped once, when it is
 * stored, and the copy is served to every client that accepts gzip. Keyed by the body's ETag, so
 * it is shared by every tenant and key that holds the same bytes. Web APIs only
 * (`CompressionStream`): brotli is not among its formats on Node 20 or Workers.
 *
 * @example
 * ```ts
 * const bodies = createCompressedBodies();
 * bodies.prepare(entry.etag, entry.body); // when stored
 * const gzip = await bodies.gzipped(entry.etag, entry.body); // when served
 * ```
 */
export function createCompressedBodies(options: CompressedBodiesOptions = {}): CompressedBodies {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const minBytes = options.minBytes ?? 512;
  const gzip = options.gzip ?? gzipWithStreams;
  const copies = new Map<string, Copy>();
  /** Bytes of the settled copies in `copies`. */
  let keptBytes = 0;

  const drop = (etag: string) => {
    const copy = copies.get(etag);
    if (copy === undefined) return;
    copies.delete(etag);
    keptBytes -= copy.bytes?.length ?? 0;
  };
  /** Records a copy's outcome; kept copies count against `maxBytes`, oldest dropped first. */
  const settle = (etag: string, copy: Copy, bytes: Uint8Array<ArrayBuffer> | undefined) => {
    copy.settled = true;
    copy.bytes = bytes;
    if (copies.get(etag) !== copy || bytes === undefined) return bytes;
    if (bytes.length > maxBytes) {
      copies.delete(etag);
      return bytes;
    }
    keptBytes += bytes.length;
    while (keptBytes > maxBytes) drop(copies.keys().next().value as string);
    return bytes;
  };

  const start = (etag: string, body: string): Copy => {
    const existing = copies.get(etag);
    if (existing !== undefined) {
      // Map order as recency: a body in use moves to the back.
      copies.delete(etag);
      copies.set(etag, existing);
      return existing;
    }
    const bytes = encoder.encode(body);
    if (bytes.length < minBytes) {
      const none: Copy = { made: Promise.resolve(undefined), settled: true, bytes: undefined };
      return remember(etag, none);
    }
    const copy: Copy = {
      made: gzip(bytes).then(
        (zipped) => settle(etag, copy, zipped),
        () => settle(etag, copy, undefined),
      ),
      settled: false,
      bytes: undefined,
    };
    return remember(etag, copy);
  };
  const remember = (etag: string, copy: Copy): Copy => {
    copies.set(etag, copy);
    if (copies.size > maxEntries) drop(copies.keys().next().value as string);
    return copy;
  };

  return {
    prepare(etag, body) {
      start(etag, body);
    },
    gzipped: (etag, body) => start(etag, body).made,
    gzippedNow(etag, body) {
      const copy = start(etag, body);
      return copy.settled ? copy.bytes : copy.made;
    },
  };
}
