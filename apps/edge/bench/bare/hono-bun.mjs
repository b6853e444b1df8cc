// Bare Hono on Bun: one route answering the proxy's cache hit (BARE_RESPONSE).
import { Hono } from 'hono';

const { status, headers, body } = JSON.parse(process.env.BARE_RESPONSE);
const record = Object.fromEntries(headers);
const app = new Hono();
app.get('/api/v1/document-status/:id', (c) => c.body(body, status, record));
const server = Bun.serve({
  hostname: process.env.HOST,
  port: Number(process.env.PORT),
  fetch: app.fetch,
});
console.log(`bare ready ${server.url.origin}`);
process.once('SIGTERM', () => process.exit(0));
