// Node ESM, and Bun (which runs this same file): the packages as installed in node_modules,
// the simulator served by its own Node entry on a free port of 127.0.0.1.
import * as core from '@neurostatus/core';
import * as jsonSchema from '@neurostatus/core/json-schema';
import * as poller from '@neurostatus/poller';
import * as simulator from '@neurostatus/simulator';
import { startSimulator } from '@neurostatus/simulator/node';
import { SIMULATOR_OPTIONS, smoke } from './smoke-body.mjs';

await smoke({
  core,
  jsonSchema,
  poller,
  simulator,
  start: async () => {
    const running = await startSimulator(SIMULATOR_OPTIONS);
    return { apiBaseUrl: running.apiBaseUrl, close: () => running.close() };
  },
  runtime: typeof Bun === 'undefined' ? `node ${process.version}` : `bun ${Bun.version}`,
});
