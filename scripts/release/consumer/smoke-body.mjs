// The smoke every runtime runs against the installed packages: a real HTTP round trip from the
// client, through the poller, to the simulator, plus the JSON Schema entry and a typed error.
// `start()` serves the demo simulator over HTTP the way this runtime does it and resolves to
// `{ apiBaseUrl, close }`.
export const SIMULATOR_OPTIONS = { demo: true, timeScale: 3600 };

export async function smoke({ core, jsonSchema, poller, simulator, start, runtime }) {
  const server = await start();
  try {
    const client = core.createNeurolinkerClient({
      apiKey: simulator.DEMO_API_KEY,
      baseUrl: server.apiBaseUrl,
    });
    const example = await client.getDocumentStatus(simulator.DOCUMENTED_EXAMPLE.document_id);
    if (example.status !== 'completed') throw new Error(`documented example is ${example.status}`);
    const done = await poller.waitForDocument(client, simulator.DEMO_DOCUMENT_IDS[0], {
      timeoutMs: 20_000,
    });
    if (!core.isTerminalDocumentStatus(done)) throw new Error(`not terminal: ${done.status}`);
    if (jsonSchema.documentStatusJsonSchema().type !== 'object') {
      throw new Error('the JSON Schema is not an object schema');
    }
    const rejected = await client.getDocumentStatus('not a valid id!').catch((error) => error);
    if (!core.isNeurolinkerError(rejected) && typeof rejected?.code !== 'string') {
      throw new Error(`a bad id did not throw a typed error: ${rejected}`);
    }
    console.log(`${runtime} smoke ok: ${done.document_id} ${done.status}`);
  } finally {
    await server.close();
  }
}
