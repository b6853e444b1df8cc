// Bare Bun.serve answering the proxy's cache hit (BARE_RESPONSE: the same status, headers, body).
const { status, headers, body } = JSON.parse(process.env.BARE_RESPONSE);
const server = Bun.serve({
  hostname: process.env.HOST,
  port: Number(process.env.PORT),
  fetch: () => new Response(body, { status, headers }),
});
console.log(`bare ready ${server.url.origin}`);
process.once('SIGTERM', () => process.exit(0));
