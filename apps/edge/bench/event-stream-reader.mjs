// A minimal Server-Sent Events reader for the benchmark: reads one stream to its end and keeps
// each event's name and id (the proxy's event ids are body ETags), which is all the bench checks.

/**
 * Opens `url` as an event stream and resolves with its events once the server ends it (or
 * `timeoutMs` passes, which rejects).
 *
 * @example
 * ```js
 * const events = await readEventStream(`${proxy}/api/v1/document-status/${id}/events`, { authorization });
 * ```
 */
export async function readEventStream(url, headers, { timeoutMs = 120_000 } = {}) {
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 200) {
    throw new Error(`${url}: ${response.status} ${(await response.text()).slice(0, 200)}`);
  }
  const events = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const event = parseBlock(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event !== undefined) events.push(event);
    }
  }
  return events;
}

function parseBlock(block) {
  let event = 'message';
  let id;
  const data = [];
  for (const line of block.split('\n')) {
    const match = /^(event|data|id): ?(.*)$/.exec(line);
    if (match?.[1] === 'event') event = match[2];
    else if (match?.[1] === 'id') id = match[2];
    else if (match?.[1] === 'data') data.push(match[2]);
  }
  // Comments (heartbeats) and empty blocks carry no event.
  if (data.length === 0 && event === 'message') return undefined;
  return { event, id, data: data.join('\n') };
}
