// The live page in a real headless Chromium (Debian's `chromium`, driven by playwright-core),
// served by the real proxy over HTTP on 127.0.0.1. The proxy and its embedded simulator share a
// clock that runs 20 times faster than real time, so the demo's minute takes 3 seconds.

import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { delay } from '@neurostatus/core';
import { createPollScheduler, type PollerClock } from '@neurostatus/poller';
import {
  createSimulator,
  DEMO_API_KEY,
  DEMO_DOCUMENT_IDS,
  DEMO_REQUEST_ID,
} from '@neurostatus/simulator';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { type EdgeEnv, loadEdgeConfig } from '../config.ts';
import { resolveEdgeParts } from '../edge-parts.ts';
import { createMemoryStore } from '../memory-store.ts';
import { mintStatusToken } from '../status-token.ts';

const CHROMIUM = '/usr/bin/chromium';
const SPEED = 20;
const [, , FAILING_SCAN] = DEMO_DOCUMENT_IDS;
/** Set to a path to save a screenshot there (the edge README's `live-page.png`). */
const SCREENSHOT = process.env.LIVE_PAGE_SCREENSHOT;

/** Time that runs `speed` times faster than the wall clock, for the proxy and the simulator. */
function fastClock(speed: number): PollerClock {
  const origin = Date.now();
  return {
    now: () => origin + (Date.now() - origin) * speed,
    sleep: (ms, signal) => delay(ms / speed, signal),
  };
}

/** The proxy with its embedded demo simulator (as `pnpm start` runs it), on a fast clock. */
async function startEdge(env: EdgeEnv) {
  const clock = fastClock(SPEED);
  const simulator = createSimulator({ demo: true, clock });
  const scheduler = createPollScheduler({ clock });
  const config = loadEdgeConfig({ EDGE_LOG: 'off', ...env });
  const app = await createApp(
    resolveEdgeParts(config, {
      store: createMemoryStore({ now: () => clock.now() }),
      clock,
      scheduler,
      baseUrl: 'http://embedded-simulator.invalid/api/v1',
      apiKey: DEMO_API_KEY,
      fetch: async (input, init) => simulator.app.fetch(new Request(input, init)),
    }),
  );
  const server = createAdaptorServer({ fetch: app.fetch });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    config,
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      scheduler.close();
      simulator.close();
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\`.`);
  }
  profile = mkdtempSync(join(tmpdir(), 'neurostatus-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 900, height: 520 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Opens the page and records what must never happen: console errors, page errors, CSP violations. */
async function open(url: string) {
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const response = await page.goto(url);
  return { page, problems, requests, response };
}

/** Waits until all four demo documents show a final status, and returns them. */
async function finalStatuses(page: Page): Promise<Record<string, string>> {
  await page.waitForFunction(
    () => {
      const rows = [...document.querySelectorAll('#rows tr')];
      return (
        rows.length === 4 &&
        rows.every((row) => ['completed', 'failed'].includes(row.getAttribute('data-status') ?? ''))
      );
    },
    undefined,
    { timeout: 30_000, polling: 100 },
  );
  return page.$$eval('#rows tr', (rows) =>
    Object.fromEntries(
      rows.map((row) => [row.getAttribute('data-id'), row.getAttribute('data-status')]),
    ),
  );
}

describe('the live page in Chromium', () => {
  it('shows the demo request finishing (one document failed), with no console error or CSP violation', async () => {
    const edge = await startEdge({});
    try {
      const { page, problems, response } = await open(`${edge.origin}/?request=${DEMO_REQUEST_ID}`);
      const csp = response?.headers()['content-security-policy'] ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      // Progress is drawn while documents are still running.
      await page.waitForSelector('#rows tr[data-status="processing"]', { timeout: 10_000 });
      if (SCREENSHOT) {
        // Mid-way: one document done, the others on their way (for the README).
        await page.waitForSelector('#rows tr[data-status="completed"]', { timeout: 10_000 });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
      }
      const statuses = await finalStatuses(page);
      expect(Object.values(statuses).sort()).toEqual([
        'completed',
        'completed',
        'completed',
        'failed',
      ]);
      expect(statuses[FAILING_SCAN]).toBe('failed');
      await page.waitForSelector('#summary[data-status="partial"]');
      expect(await page.textContent('#totals')).toMatch(
        /^3 completed · 1 failed · 0 in progress · 4 documents, 12 pages/,
      );
      expect(await page.textContent('#message')).toBe('Every document has finished.');
      expect(
        await page.$$eval('#rows td.name', (cells) => cells.map((cell) => cell.textContent)),
      ).toContain('Scanned_Contract.pdf');
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await edge.close();
    }
  }, 60_000);

  it('takes a scoped token from the fragment, drops it from the address bar, and never puts it in a URL', async () => {
    const edge = await startEdge({ EDGE_MODE: 'scoped-token' });
    try {
      const token = await mintStatusToken({
        secret: edge.config.secret,
        requestIds: [DEMO_REQUEST_ID],
      });
      const { page, problems, requests } = await open(
        `${edge.origin}/?request=${DEMO_REQUEST_ID}#token=${token}`,
      );
      expect(page.url()).not.toContain('token');
      const statuses = await finalStatuses(page);
      expect(Object.values(statuses).filter((status) => status === 'failed')).toHaveLength(1);
      expect(requests.filter((url) => url.includes(token))).toEqual([]);
      expect(
        requests.some((url) => url.endsWith(`/request-status/${DEMO_REQUEST_ID}/events`)),
      ).toBe(true);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await edge.close();
    }
  }, 60_000);

  it('asks for the key in passthrough mode and keeps it out of the page', async () => {
    const edge = await startEdge({ EDGE_MODE: 'passthrough' });
    try {
      const { page, problems } = await open(`${edge.origin}/?request=${DEMO_REQUEST_ID}`);
      await page.fill('#key-field', DEMO_API_KEY);
      await page.click('#key-form button');
      const statuses = await finalStatuses(page);
      expect(Object.keys(statuses)).toHaveLength(4);
      expect(await page.inputValue('#key-field')).toBe('');
      expect(await page.content()).not.toContain(DEMO_API_KEY);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await edge.close();
    }
  }, 60_000);
});
