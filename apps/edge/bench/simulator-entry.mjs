// The simulator as a child process of the benchmark (bundled by esbuild first, so no TypeScript
// loader runs in it). It runs in its own process so that the load generator, the proxy and the
// simulator each have their own event loop, as they would in production. It prints one JSON line
// with what the bench needs, so the bench repeats none of the simulator's constants.
import { DEMO_API_KEY, DOCUMENTED_EXAMPLE } from '@neurostatus/simulator';
import { startSimulator } from '@neurostatus/simulator/node';

const running = await startSimulator({ demo: true, port: 0, host: '127.0.0.1' });
process.stdout.write(
  `simulator ready ${JSON.stringify({
    url: running.url,
    apiBaseUrl: running.apiBaseUrl,
    apiKey: DEMO_API_KEY,
    // With demo data, the documented example is a completed document of DEMO_API_KEY's account.
    completedDocumentId: DOCUMENTED_EXAMPLE.document_id,
  })}\n`,
);
const stop = () => {
  running.close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
