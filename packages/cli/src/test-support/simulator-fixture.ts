import { createManualClock, DEMO_API_KEY, type ManualClock } from '@neurostatus/simulator';
import { type RunningSimulator, startSimulator } from '@neurostatus/simulator/node';

/** A simulator on 127.0.0.1 whose clock only moves when the test says so. */
export interface SimulatorFixture {
  readonly server: RunningSimulator;
  readonly clock: ManualClock;
  /** `NEUROLINKER_BASE_URL` and `NEUROLINKER_API_KEY` for the spawned CLI. */
  readonly env: Record<string, string>;
  /** Submits documents that start processing at once and finish after `processingMs` simulated ms. */
  submit(
    documents: {
      outcome?: 'completed' | 'failed';
      processingMs?: number;
      totalPages?: number;
      fileName?: string;
      errorMessage?: string;
    }[],
  ): {
    requestId: string;
    documentIds: string[];
  };
}

/** Starts a simulator with a manual clock. */
export async function startSimulatorFixture(): Promise<SimulatorFixture> {
  const clock = createManualClock();
  const server = await startSimulator({ clock });
  return {
    server,
    clock,
    env: { NEUROLINKER_BASE_URL: server.apiBaseUrl, NEUROLINKER_API_KEY: DEMO_API_KEY },
    submit(documents) {
      const { requestId, documentIds } = server.simulator.createRequest({
        apiKey: DEMO_API_KEY,
        documents: documents.map((document) => ({
          pendingMs: 0,
          processingMs: 10_000,
          ...document,
        })),
      });
      return { requestId, documentIds: [...documentIds] };
    },
  };
}
