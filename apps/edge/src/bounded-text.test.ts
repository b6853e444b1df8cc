import { describe, expect, it } from 'vitest';
import { boundedText } from './bounded-text.ts';

/** A body streamed in `chunks` chunks of `size` bytes, recording whether it was cancelled. */
function streamed(chunks: number, size: number) {
  const state = { sent: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.sent === chunks) return controller.close();
      state.sent++;
      controller.enqueue(new Uint8Array(size).fill(0x61));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { response: new Response(body), state };
}

describe('boundedText', () => {
  it('reads a body within the bound, multi-byte characters across chunks included', async () => {
    const bytes = new TextEncoder().encode('{"name":"é€😀"}');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
        controller.close();
      },
    });
    expect(await boundedText(new Response(body), 1_000)).toBe('{"name":"é€😀"}');
  });

  it('stops reading and cancels the stream past the bound', async () => {
    const { response, state } = streamed(1_000, 1_024);
    await expect(boundedText(response, 10 * 1_024)).rejects.toThrow(RangeError);
    expect(state.cancelled).toBe(true);
    expect(state.sent).toBeLessThan(20);
  });

  it('refuses a declared Content-Length past the bound without reading', async () => {
    const response = new Response('x'.repeat(100), { headers: { 'content-length': '100' } });
    await expect(boundedText(response, 10)).rejects.toThrow(/larger than 10 bytes/);
  });
});
