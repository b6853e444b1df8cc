import { DEMO_API_KEY, DEMO_DOCUMENT_IDS, DEMO_REQUEST_ID } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { loadEdgeConfig } from './config.ts';
import { importHmacKey } from './hmac-key.ts';
import { startupBanner } from './startup-banner.ts';
import { verifyStatusToken } from './status-token.ts';

const ORIGIN = 'http://127.0.0.1:8787';

describe('startupBanner', () => {
  it('starts with the line scripts wait for, and gives curl lines for the embedded demo', async () => {
    const lines = (await startupBanner(loadEdgeConfig({}), ORIGIN, 'Node')).split('\n');
    expect(lines[0]).toBe(`neurostatus edge listening on ${ORIGIN}`);
    const text = lines.join('\n');
    expect(text).toContain('the embedded simulator (NEUROLINKER_API_KEY is not set)');
    expect(text).toContain(`curl -i ${ORIGIN}/api/v1/document-status/${DEMO_DOCUMENT_IDS[0]}`);
    expect(text).toContain(
      `curl -N ${ORIGIN}/api/v1/document-status/${DEMO_DOCUMENT_IDS[0]}/events`,
    );
    expect(text).toContain(`curl -N ${ORIGIN}/api/v1/request-status/${DEMO_REQUEST_ID}/events`);
  });

  it('prints the live page first after the listening line, opened on the demo request', async () => {
    const lines = (await startupBanner(loadEdgeConfig({}), ORIGIN, 'Node')).split('\n');
    expect(lines[1]).toBe(`  Live page: ${ORIGIN}/?request=${DEMO_REQUEST_ID}`);
    const scoped = (
      await startupBanner(loadEdgeConfig({ EDGE_MODE: 'scoped-token' }), ORIGIN, 'Node')
    ).split('\n');
    // The token goes in the fragment, which the browser never sends to the server.
    expect(scoped[1]).toMatch(
      new RegExp(
        `^  Live page: ${ORIGIN}/\\?request=${DEMO_REQUEST_ID}#token=v1\\.[\\w-]+\\.[\\w-]+$`,
      ),
    );
  });

  it('prints a working demo token in scoped-token mode on the simulator', async () => {
    const config = loadEdgeConfig({ EDGE_MODE: 'scoped-token' });
    const text = await startupBanner(config, ORIGIN, 'Node');
    const token = /Bearer (v1\.[\w-]+\.[\w-]+)'/.exec(text)?.[1] ?? '';
    const claims = await verifyStatusToken(
      await importHmacKey(config.secret, 'status-token'),
      token,
      Date.now(),
    );
    expect(claims.documentIds).toEqual([...DEMO_DOCUMENT_IDS]);
    expect(claims.requestIds).toEqual([DEMO_REQUEST_ID]);
  });

  it('prints the demo key in passthrough mode on the simulator', async () => {
    const text = await startupBanner(loadEdgeConfig({ EDGE_MODE: 'passthrough' }), ORIGIN, 'Node');
    expect(text).toContain(`-H 'Authorization: Bearer ${DEMO_API_KEY}'`);
  });

  it('never prints a configured key or secret', async () => {
    const key = `nl_${'k'.repeat(32)}`;
    const secret = 's'.repeat(40);
    const text = await startupBanner(
      loadEdgeConfig({ NEUROLINKER_API_KEY: key, EDGE_SECRET: secret }),
      ORIGIN,
      'Node',
    );
    expect(text).toContain('upstream: https://');
    expect(text).not.toContain(key);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('curl');
  });
});
