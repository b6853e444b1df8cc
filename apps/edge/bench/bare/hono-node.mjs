// Bare Hono on @hono/node-server: one route answering the proxy's cache hit (BARE_RESPONSE: the
// same status, headers and body), nothing else. What the framework costs, without the proxy.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const { status, headers, body } = JSON.parse(process.env.BARE_RESPONSE);
const record = Object.fromEntries(headers);
const app = new Hono();
app.get('/api/v1/document-status/:id', (c) => c.body(body, status, record));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: process.env.HOST }, (info) => {
  console.log(`bare ready http://${process.env.HOST}:${info.port}`);
});
process.once('SIGTERM', () => process.exit(0));
