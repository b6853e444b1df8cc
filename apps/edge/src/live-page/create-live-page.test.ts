import { DEMO_REQUEST_ID } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { createEdgeHarness } from '../test-support/edge-harness.ts';
import { LIVE_PAGE_SCRIPT } from './live-page-script.generated.ts';

describe('the live page routes', () => {
  it('serves the page at / with a strict CSP of its own: no inline script or style', async () => {
    const h = await createEdgeHarness({ EDGE_MODE: 'scoped-token' });
    const res = await h.get(`/?request=${DEMO_REQUEST_ID}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe|\*|https?:/);
    const html = await res.text();
    expect(html).toContain('<body data-mode="scoped-token">');
    expect(html).toContain('<script type="module" src="/live/app.js"></script>');
    expect(html).not.toMatch(/<script>|<style|\sstyle="|\son\w+="/);
    expect(h.logs.at(-1)).toMatchObject({ route: '/', status: 200 });
  });

  it('serves the bundled script, the stylesheet and the icon', async () => {
    const h = await createEdgeHarness();
    const script = await h.get('/live/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe(LIVE_PAGE_SCRIPT);
    expect((await h.get('/live/app.css')).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
    expect((await h.get('/live/icon.svg')).headers.get('content-type')).toBe('image/svg+xml');
    expect((await h.get('/live/nothing.js')).status).toBe(404);
  });

  it('has a generated script that matches its source (run build-live-page.mjs when this fails)', async () => {
    const { bundleLivePage } = (await import('./build-live-page.mjs' as string)) as {
      bundleLivePage(): Promise<string>;
    };
    expect(await bundleLivePage()).toBe(LIVE_PAGE_SCRIPT);
  }, 30_000);
});
