// Event streams and the proxy's hold-off after upstream 429s: one rule for every upstream call,
// whether a status read or a stream's poll makes it.
import { driveWhenIdle } from '@neurostatus/poller/test-support/idle-drive';
import { DEMO_DOCUMENT_IDS } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { createEdgeHarness, type EdgeHarness, parseEvents } from './test-support/edge-harness.ts';

const doc = (id: string) => `/api/v1/document-status/${id}`;

/** A harness whose upstream calls are recorded: the path and the proxy clock's time of each. */
async function recordingHarness(): Promise<{
  h: EdgeHarness;
  calls: { path: string; at: number }[];
}> {
  const calls: { path: string; at: number }[] = [];
  const h: EdgeHarness = await createEdgeHarness({}, async (input, init) => {
    const request = new Request(input, init);
    calls.push({ path: new URL(request.url).pathname, at: h.clock.now() });
    return h.simulator.app.fetch(request);
  });
  return { h, calls };
}

describe('event streams under a hold-off', () => {
  it('do not call the upstream while the whole upstream key is held off, then follow the document', async () => {
    const { h, calls } = await recordingHarness();
    h.simulator.setFault({ kind: 'status', status: 429, retryAfter: '10', times: 3 });
    for (const id of DEMO_DOCUMENT_IDS.slice(0, 3)) expect((await h.get(doc(id))).status).toBe(429);
    const heldUntil = h.clock.now() + 10_000;
    const streamed = DEMO_DOCUMENT_IDS[3] ?? '';

    const response = await h.get(`${doc(streamed)}/events`);
    expect(response.status).toBe(200);
    const events = parseEvents(await driveWhenIdle(h.clock, response.text(), h));

    const early = calls.filter((call) => call.path.endsWith(streamed) && call.at < heldUntil);
    expect(early).toEqual([]);
    expect(events.some((event) => 'event' in event && event.event === 'status')).toBe(true);
    expect(events.at(-1)).toMatchObject({ event: 'end' });
  });
});
