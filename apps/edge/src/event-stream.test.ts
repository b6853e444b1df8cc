import {
  createVirtualClock,
  type PollerClock,
  systemClock,
  type VirtualClock,
} from '@neurostatus/poller';
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { eventStream, STREAM_WRITE_TIMEOUT_MS } from './event-stream.ts';
import type { FeedListener } from './feed-hub.ts';

/** A stream route on a feed the test drives. */
function streamOf(clock: PollerClock = systemClock) {
  let feed: FeedListener<string> | undefined;
  const seen = { unsubscribed: 0, closed: 0 };
  const app = new Hono();
  app.get('/events', (c) =>
    eventStream(c, {
      subscribe: (listener) => {
        feed = listener;
        return () => {
          seen.unsubscribed++;
        };
      },
      describeError: () => '{}',
      clock,
      writeClock: clock,
      heartbeatMs: 60_000,
      onClose: () => {
        seen.closed++;
      },
    }),
  );
  return { app, seen, feed: () => feed as FeedListener<string> };
}

const turns = async (count: number) => {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
};

/**
 * Sends statuses until one's write waits for the client (the stream's only sleep is then the
 * write's time limit, not the heartbeat's): the client's buffers are full.
 */
async function untilAWriteWaits(clock: VirtualClock, feed: () => FeedListener<string>) {
  let n = 0;
  await vi.waitFor(
    async () => {
      feed().status(`{"n":${++n}}`);
      await turns(5);
      expect(clock.pending).toEqual([clock.now() + STREAM_WRITE_TIMEOUT_MS]);
    },
    { timeout: 5_000, interval: 10 },
  );
}

/** The `event:` / `data:` pairs of an event-stream text. */
const eventsIn = (text: string) =>
  text
    .split('\n\n')
    .map((block) => ({
      event: /^event: (.*)$/m.exec(block)?.[1],
      data: /^data: (.*)$/m.exec(block)?.[1],
    }))
    .filter((event) => event.event !== undefined);

describe('eventStream', () => {
  // Found by audit: a client that never read made the stream queue every status the feed sent
  // (about 1 MB a poll for a large request's status) for as long as the request ran.
  it('keeps only the newest status for a client that does not read, then ends as told', async () => {
    const { app, feed } = streamOf();
    const response = await app.request('/events');
    // Nobody reads: the stream's writes wait, and the feed goes on.
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (let n = 1; n <= 200; n++) feed().status(JSON.stringify({ n }));
    feed().end();
    const events = eventsIn(await response.text());
    const statuses = events.filter((event) => event.event === 'status');
    expect(statuses.length).toBeLessThanOrEqual(2);
    expect(statuses.at(-1)?.data).toBe('{"n":200}');
    expect(events.at(-1)?.event).toBe('end');
  });

  // Found by audit: nothing ever dropped a client that took nothing, so it kept its slot among
  // EDGE_MAX_EVENT_STREAMS and its poll loop for as long as it liked.
  it('drops a client that takes nothing for STREAM_WRITE_TIMEOUT_MS, freeing its feed', async () => {
    const clock = createVirtualClock(0);
    const { app, seen, feed } = streamOf(clock);
    const response = await app.request('/events');
    await untilAWriteWaits(clock, feed);
    clock.advance(STREAM_WRITE_TIMEOUT_MS - 1);
    await turns(20);
    expect(seen).toEqual({ unsubscribed: 0, closed: 0 });
    clock.advance(1);
    await vi.waitFor(() => expect(seen).toEqual({ unsubscribed: 1, closed: 1 }));
    await response.body?.cancel();
  });
});
