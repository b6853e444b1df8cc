import { DEMO_DOCUMENT_IDS, DEMO_REQUEST_ID } from '@neurostatus/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { createEdgeHarness } from './test-support/edge-harness.ts';

const REPORT = DEMO_DOCUMENT_IDS[1];
const events = (kind: 'document' | 'request', id: string) => `/api/v1/${kind}-status/${id}/events`;

const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);
afterEach(() => {
  process.off('warning', onWarning);
  warnings.length = 0;
});

describe('many open event streams', () => {
  it('put one listener on the shared shutdown signal, not one each (no MaxListenersExceededWarning)', async () => {
    process.on('warning', onWarning);
    const h = await createEdgeHarness({ EDGE_MAX_EVENT_STREAMS: '100' });
    const opened = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        h.get(index % 2 === 0 ? events('document', REPORT) : events('request', DEMO_REQUEST_ID)),
      ),
    );
    const texts = Promise.all(opened.map((response) => response.text()));
    // Let every stream start (its `retry:` line written) and the warnings (emitted on the next tick) arrive.
    for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setImmediate(resolve));
    const metrics = await (await h.get('/metrics')).text();
    expect(metrics).toContain('neurostatus_edge_event_streams 12');
    h.shutdown();
    expect(await texts).toHaveLength(12);
    expect(warnings.map((warning) => warning.name)).not.toContain('MaxListenersExceededWarning');
  });
});
