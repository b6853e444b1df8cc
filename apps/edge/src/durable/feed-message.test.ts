import { RateLimitError, TimeoutError } from '@neurostatus/core';
import { describe, expect, it } from 'vitest';
import { upstreamFailure } from '../upstream-failure.ts';
import {
  decodeFeedMessage,
  encodeFeedMessage,
  type FeedMessage,
  fromWireError,
  toWireError,
} from './feed-message.ts';

const decoder = new TextDecoder();

describe('feed messages', () => {
  it.each<FeedMessage>([
    { type: 'status', body: '{"status":"processing"}', terminal: false },
    { type: 'status', body: '{"status":"completed"}', terminal: true, replay: true },
    { type: 'end' },
    { type: 'error', error: { code: 'RATE_LIMITED', status: 429, retryAfterMs: 2_000 } },
  ])('survive a line round trip: $type', (message) => {
    const line = decoder.decode(encodeFeedMessage(message));

    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(decodeFeedMessage(line.slice(0, -1))).toEqual(message);
  });

  it.each(['', 'not json', '{"type":"status"}', '{"type":"error","error":{}}', '[]', 'null'])(
    'reads a malformed line %j as nothing',
    (line) => {
      expect(decodeFeedMessage(line)).toBeUndefined();
    },
  );
});

describe('errors crossing from the object to the Worker', () => {
  it('give the Worker the same answer the object would have given', () => {
    const errors = [
      new RateLimitError('429', { status: 429, retryAfterMs: 3_000 }),
      new TimeoutError('slow', { timeoutMs: 10_000 }),
    ];
    for (const error of errors) {
      for (const mode of ['passthrough', 'open'] as const) {
        expect(upstreamFailure(fromWireError(toWireError(error)), mode)).toEqual(
          upstreamFailure(error, mode),
        );
      }
    }
  });

  it('carry no message, so nothing the upstream said crosses', () => {
    const wire = toWireError(new RateLimitError('detail with secrets', { status: 429 }));

    expect(JSON.stringify(wire)).not.toContain('secrets');
  });

  it('turn an unknown error into a generic failure', () => {
    expect(upstreamFailure(fromWireError(toWireError(new Error('x'))), 'open')).toBeUndefined();
  });
});
