import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEdge } from './create-edge.ts';

describe('createEdge request logs', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('batches JSON lines to logWriter and writes every one on close(), before any timer', async () => {
    const writes: string[] = [];
    const edge = await createEdge({ EDGE_LOG: 'json' }, { logWriter: (text) => writes.push(text) });
    // No timer fires from here on: only close() can write what is queued.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    for (let i = 0; i < 25; i++) await edge.app.request('/healthz');
    expect(writes).toEqual([]);

    edge.close();

    expect(writes).toHaveLength(1);
    const lines = (writes[0] ?? '').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(Array(25).fill('request'));
  });

  it('builds no log record when EDGE_LOG is off', async () => {
    const writes: string[] = [];
    const edge = await createEdge({ EDGE_LOG: 'off' }, { logWriter: (text) => writes.push(text) });
    await edge.app.request('/healthz');
    edge.close();
    expect(writes).toEqual([]);
  });
});
