import { DEMO_API_KEY, DEMO_DOCUMENT_IDS, DEMO_REQUEST_ID } from '@neurostatus/simulator';
import { startSimulator } from '@neurostatus/simulator/node';
import { CliError } from './cli-error.ts';
import type { CliIo } from './cli-io.ts';
import { EXIT_CODES, type ExitCode } from './exit-codes.ts';
import type { SimulatorInvocation } from './parse-invocation.ts';

/**
 * `neurostatus simulator`: serves the fake API with its demo data on 127.0.0.1 until Ctrl-C
 * (then exits 0), and prints how to point `neurostatus` at it.
 *
 * @example
 * ```ts
 * await runSimulatorCommand({ command: 'simulator', port: 4010, timeScale: 1, ...mode }, io);
 * ```
 */
export async function runSimulatorCommand(
  invocation: SimulatorInvocation,
  io: CliIo,
): Promise<ExitCode> {
  let running: Awaited<ReturnType<typeof startSimulator>>;
  try {
    running = await startSimulator({
      port: invocation.port,
      demo: true,
      timeScale: invocation.timeScale,
    });
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'EADDRINUSE') {
      throw new CliError(
        `port ${invocation.port} is in use. Pick another with --port (0 picks a free one)`,
        EXIT_CODES.failed,
        { cause: error },
      );
    }
    throw error;
  }
  const env = `NEUROLINKER_BASE_URL=${running.apiBaseUrl} NEUROLINKER_API_KEY=${DEMO_API_KEY}`;
  io.stdout.write(
    [
      `Neurolinker simulator with demo data on ${running.url} (Ctrl-C to stop)`,
      '',
      'Point neurostatus at it, from another terminal:',
      `  export NEUROLINKER_BASE_URL=${running.apiBaseUrl}`,
      `  export NEUROLINKER_API_KEY=${DEMO_API_KEY}`,
      `  neurostatus watch --request ${DEMO_REQUEST_ID}`,
      `  neurostatus status ${DEMO_DOCUMENT_IDS.join(' ')}`,
      '',
      'Or in one line:',
      `  ${env} neurostatus watch ${DEMO_DOCUMENT_IDS.join(' ')}`,
      '',
    ].join('\n'),
  );
  const signal = io.signal;
  if (signal !== undefined && !signal.aborted) {
    await new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => resolve(), { once: true }),
    );
  }
  await running.close();
  return EXIT_CODES.ok;
}
