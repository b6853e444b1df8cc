import { NotFoundError, ServerError } from '@neurostatus/core';
import { describe, expect, it } from 'vitest';
import type { FeedSource } from './feed-hub.ts';
import type { UpstreamAnswer } from './status-cache.ts';
import { notFoundRemembered } from './status-feeds.ts';

/** A feed from elsewhere that sends `body`, then fails with `error`. */
const failingAfter =
  (body: string, error: unknown): FeedSource<string> =>
  (sink) => {
    sink.status(body);
    sink.error(error);
    return () => {};
  };

/** Runs `source` to its end; what the sink saw, and what was remembered. */
function run(source: (remember: (answer: UpstreamAnswer) => void) => FeedSource<string>) {
  const remembered: UpstreamAnswer[] = [];
  const seen: unknown[] = [];
  source((answer) => remembered.push(answer))({
    status: (value) => seen.push(value),
    end: () => seen.push('end'),
    error: (error) => seen.push(error),
  });
  return { remembered, seen };
}

describe('notFoundRemembered', () => {
  it('remembers a final NOT_FOUND long enough for a reconnect, and passes everything on', () => {
    const gone = new NotFoundError('gone', { status: 404 });
    const { remembered, seen } = run((remember) =>
      notFoundRemembered('request', failingAfter('{"a":1}', gone), remember),
    );
    expect(seen).toEqual(['{"a":1}', gone]);
    expect(remembered).toHaveLength(1);
    expect(remembered[0]).toMatchObject({ status: 404, terminal: false });
    expect(JSON.parse(remembered[0]?.body ?? '')).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('remembers nothing for another failure (it is not an answer about the id)', () => {
    const down = new ServerError('down', { status: 503 });
    const { remembered, seen } = run((remember) =>
      notFoundRemembered('document', failingAfter('{"a":1}', down), remember),
    );
    expect(seen).toEqual(['{"a":1}', down]);
    expect(remembered).toEqual([]);
  });
});
