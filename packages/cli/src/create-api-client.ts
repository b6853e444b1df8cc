import {
  createNeurolinkerClient,
  InvalidOptionError,
  type NeurolinkerClient,
} from '@neurostatus/core';
import { CliError } from './cli-error.ts';
import type { CliIo } from './cli-io.ts';
import { CLI_VERSION } from './cli-version.ts';
import { EXIT_CODES } from './exit-codes.ts';
import type { ApiInvocation } from './parse-invocation.ts';

/**
 * Printed, word for word, when no key is set: it says exactly how to provide one.
 *
 * @example
 * ```ts
 * throw new CliError(MISSING_KEY_MESSAGE, EXIT_CODES.auth);
 * ```
 */
export const MISSING_KEY_MESSAGE =
  'no API key. Set NEUROLINKER_API_KEY (export NEUROLINKER_API_KEY=<your key>) or pass --api-key <your key>. ' +
  'To try neurostatus without a key, run "neurostatus simulator"';

/**
 * The core client for an invocation: its key and base URL, a `neurostatus/<version>` user agent,
 * and with `--debug` one stderr line per HTTP attempt (method, URL, status; never a header).
 *
 * @throws {CliError} exit 3 when no key is set or the key is malformed.
 * @example
 * ```ts
 * const client = createApiClient(invocation, io);
 * const status = await client.getDocumentStatus(id);
 * ```
 */
export function createApiClient(invocation: ApiInvocation, io: CliIo): NeurolinkerClient {
  const { apiKey } = invocation;
  if (apiKey === undefined) throw new CliError(MISSING_KEY_MESSAGE, EXIT_CODES.auth);
  const log = (line: string): void => {
    io.stderr.write(`neurostatus: debug: ${line}\n`);
  };
  try {
    return newClient(invocation, apiKey, log);
  } catch (error) {
    // Core checks the key (one rule for every package); the CLI says where it came from. The base
    // URL was checked with core's rule when the command line was parsed.
    if (error instanceof InvalidOptionError && error.option === 'apiKey') {
      throw new CliError(
        'the API key contains whitespace or other characters a key cannot have (a trailing newline?). ' +
          'Check NEUROLINKER_API_KEY or --api-key',
        EXIT_CODES.auth,
      );
    }
    throw error;
  }
}

function newClient(
  invocation: ApiInvocation,
  apiKey: string,
  log: (line: string) => void,
): NeurolinkerClient {
  return createNeurolinkerClient({
    apiKey,
    ...(invocation.baseUrl === undefined ? {} : { baseUrl: invocation.baseUrl }),
    userAgent: `neurostatus/${CLI_VERSION}`,
    hooks: invocation.debug
      ? {
          beforeRequest: [(request: Request) => log(`${request.method} ${request.url}`)],
          afterResponse: [
            (request: Request, _options: unknown, response: Response) =>
              log(
                `${response.status} ${request.method} ${request.url}` +
                  ` (x-request-id ${response.headers.get('x-request-id') ?? 'none'})`,
              ),
          ],
          onRetry: ({ attempt, delayMs, error }) =>
            log(`attempt ${attempt} failed (${error.code}); retrying in ${delayMs} ms`),
        }
      : {},
  });
}
