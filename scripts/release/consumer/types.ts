// Type-checked with tsc under moduleResolution node16 and bundler, against the published .d.ts.
// tsc runs with skipLibCheck, which would silently turn a type from a broken declaration file
// into `any`: NotAny makes that an error here.
import { runCli } from '@neurostatus/cli';
import {
  createNeurolinkerClient,
  type DocumentStatus,
  isNeurolinkerError,
  type NeurolinkerClient,
} from '@neurostatus/core';
import { documentStatusJsonSchema } from '@neurostatus/core/json-schema';
import { waitForDocument, watchStatus } from '@neurostatus/poller';
import { DEMO_API_KEY, type Simulator } from '@neurostatus/simulator';
import { startSimulator } from '@neurostatus/simulator/node';

type IsAny<T> = 0 extends 1 & T ? true : false;
type Resolved<T extends readonly unknown[]> = {
  [K in keyof T]: IsAny<T[K]> extends true ? 'any: a declaration file did not resolve' : true;
};
export const resolved: Resolved<
  [
    typeof runCli,
    typeof createNeurolinkerClient,
    DocumentStatus,
    NeurolinkerClient,
    typeof isNeurolinkerError,
    typeof documentStatusJsonSchema,
    typeof waitForDocument,
    typeof watchStatus,
    Simulator,
    typeof startSimulator,
  ]
> = [true, true, true, true, true, true, true, true, true, true];

export async function typed(): Promise<DocumentStatus['status']> {
  const running = await startSimulator({ demo: true });
  const client: NeurolinkerClient = createNeurolinkerClient({
    apiKey: DEMO_API_KEY,
    baseUrl: running.apiBaseUrl,
  });
  for await (const status of watchStatus(client, 'doc-1')) console.log(status.status);
  const done = await waitForDocument(client, 'doc-1', { timeoutMs: 1000 });
  const schema: object = documentStatusJsonSchema('draft-2020-12');
  const code: number = await runCli(['--help'], undefined as never);
  void schema;
  void code;
  void isNeurolinkerError;
  await running.close();
  return done.status;
}
