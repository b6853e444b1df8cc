import { DOCUMENTED_EXAMPLE } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import {
  readUpstreamReply,
  replayAnswer,
  replyResponse,
  terminalOf,
  UPSTREAM_FAILURE_HEADER,
} from './upstream-reply.ts';

const completed = JSON.stringify(DOCUMENTED_EXAMPLE);
const processing = JSON.stringify({ ...DOCUMENTED_EXAMPLE, status: 'processing' });

describe('upstream replies', () => {
  it('know a valid terminal status, a valid active one, and a body that is no status', () => {
    expect(terminalOf('document', completed)).toBe(true);
    expect(terminalOf('document', processing)).toBe(false);
    expect(terminalOf('document', '{"status":"completed"}')).toBeUndefined();
    expect(terminalOf('document', '<html>')).toBeUndefined();
  });

  it('keep valid statuses and 404s, and only relay the rest', async () => {
    const read = (status: number, body: string) =>
      readUpstreamReply(new Response(body, { status }), 'document', 0, 1024 * 1024);

    expect(await read(200, completed)).toMatchObject({ storable: true, terminal: true });
    expect(await read(200, processing)).toMatchObject({ storable: true, terminal: false });
    expect(await read(404, '{"detail":"x"}')).toMatchObject({ storable: true, terminal: false });
    expect(await read(200, '{}')).toMatchObject({ storable: false });
    expect(await read(429, '{"detail":"x"}')).toMatchObject({ storable: false });
  });

  it('relay the headers a client reads, and no others', async () => {
    const reply = await readUpstreamReply(
      new Response('{}', {
        status: 429,
        headers: { 'retry-after': '3', 'set-cookie': 'a=b', 'content-type': 'application/json' },
      }),
      'document',
      1_000,
      1024 * 1024,
    );
    const response = replyResponse(reply, 3_500);

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.headers.get('age')).toBe('2');
  });

  it('replay a connection failure as a failed fetch', async () => {
    const answer = replyResponse({ type: 'connection', receivedAt: 0 }, 0);

    expect(answer.headers.get(UPSTREAM_FAILURE_HEADER)).toBe('connection');
    await expect(replayAnswer(answer, undefined)).rejects.toThrow(TypeError);
  });

  it("replay a timeout as no answer until the caller's own deadline", async () => {
    const deadline = new AbortController();
    const replayed = replayAnswer(
      replyResponse({ type: 'timeout', receivedAt: 0 }, 0),
      deadline.signal,
    );
    const reason = new Error('deadline');
    deadline.abort(reason);

    await expect(replayed).rejects.toBe(reason);
  });
});
