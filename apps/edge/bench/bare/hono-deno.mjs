// Bare Hono on Deno.serve: one route answering the proxy's cache hit (BARE_RESPONSE).
import { Hono } from 'hono';

const { status, headers, body } = JSON.parse(Deno.env.get('BARE_RESPONSE'));
const record = Object.fromEntries(headers);
const app = new Hono();
app.get('/api/v1/document-status/:id', (c) => c.body(body, status, record));
Deno.serve(
  {
    hostname: Deno.env.get('HOST'),
    port: Number(Deno.env.get('PORT')),
    onListen: ({ hostname, port }) => console.log(`bare ready http://${hostname}:${port}`),
  },
  app.fetch,
);
Deno.addSignalListener('SIGTERM', () => Deno.exit(0));
