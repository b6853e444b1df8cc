// Bare Deno.serve answering the proxy's cache hit (BARE_RESPONSE: the same status, headers, body).
const { status, headers, body } = JSON.parse(Deno.env.get('BARE_RESPONSE'));
Deno.serve(
  {
    hostname: Deno.env.get('HOST'),
    port: Number(Deno.env.get('PORT')),
    onListen: ({ hostname, port }) => console.log(`bare ready http://${hostname}:${port}`),
  },
  () => new Response(body, { status, headers }),
);
Deno.addSignalListener('SIGTERM', () => Deno.exit(0));
