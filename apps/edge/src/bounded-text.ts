/** A body larger than the reader takes (`Content-Length` or bytes read). */
export class BodyTooLargeError extends RangeError {
  override readonly name = 'BodyTooLargeError';
}

/**
 * A response body as text, read as it arrives and abandoned (the stream cancelled) past
 * `maxBytes`, so a huge or endless body never sits in memory whole.
 *
 * @throws {BodyTooLargeError} when the body is larger than `maxBytes` (`Content-Length` or bytes
 *   read).
 * @example
 * ```ts
 * const body = await boundedText(response, 16 * 1024 * 1024);
 * ```
 */
export async function boundedText(response: Response, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    new BodyTooLargeError(`The response body is larger than ${maxBytes} bytes.`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let read = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    read += value.byteLength;
    if (read > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
}
