// Deno with npm: specifiers (the versions just published), the simulator served by Deno.serve.
import * as core from 'npm:@neurostatus/core@0.1.0';
import * as jsonSchema from 'npm:@neurostatus/core@0.1.0/json-schema';
import * as poller from 'npm:@neurostatus/poller@0.1.0';
import * as simulator from 'npm:@neurostatus/simulator@0.1.0';
import { SIMULATOR_OPTIONS, smoke } from './smoke-body.mjs';

await smoke({
  core,
  jsonSchema,
  poller,
  simulator,
  start: () =>
    new Promise((resolve) => {
      const app = simulator.createSimulator(SIMULATOR_OPTIONS).app;
      const server = Deno.serve(
        {
          hostname: '127.0.0.1',
          port: 0,
          onListen: ({ port }) =>
            resolve({
              apiBaseUrl: `http://127.0.0.1:${port}/api/v1`,
              close: () => server.shutdown(),
            }),
        },
        (request) => app.fetch(request),
      );
    }),
  runtime: `deno ${Deno.version.deno}`,
});
