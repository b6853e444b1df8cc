// Bare node:http serving one fixed response: the same status, headers and body bytes as the
// proxy's cache hit (BARE_RESPONSE, captured by the bench), on HOST:PORT. The ceiling of Node's
// HTTP server for this response.
import { createServer } from 'node:http';

const { status, headers, body } = JSON.parse(process.env.BARE_RESPONSE);
const bytes = Buffer.from(body);
const flat = headers.flat();
const server = createServer((_request, response) => {
  response.writeHead(status, flat);
  response.end(bytes);
});
server.listen(Number(process.env.PORT), process.env.HOST, () => {
  console.log(`bare ready http://${process.env.HOST}:${server.address().port}`);
});
process.once('SIGTERM', () => process.exit(0));
