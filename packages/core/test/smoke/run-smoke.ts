import {
  createNeurolinkerClient,
  isNeurolinkerError,
  type NeurolinkerClient,
} from '../../src/index.ts';

/** What the test hands to every runtime: where the simulator is and which ids to ask for. */
export interface SmokeInput {
  readonly apiBaseUrl: string;
  readonly apiKey: string;
  /** A document the simulator knows (the documented example). */
  readonly documentId: string;
  /** The request that document belongs to. */
  readonly requestId: string;
  /** A well-formed id the simulator has never seen; unique per runtime, so its count is too. */
  readonly unknownDocumentId: string;
  /** A well-formed key of no account. */
  readonly wrongApiKey: string;
}

/** What every runtime reports back, as JSON. */
export interface SmokeResult {
  /** `navigator.userAgent`, which names the runtime (`Node.js/22`, `Bun/1.4.5`, `Deno/2.9.6`, ...). */
  readonly userAgent: string | undefined;
  readonly document: { readonly document_id: string; readonly status: string };
  readonly request: { readonly request_id: string; readonly status: string };
  /** The `code` of the error for `unknownDocumentId`, or what was thrown if it is not ours. */
  readonly unknownDocumentCode: string;
  /** The `code` of the error for `wrongApiKey`, or what was thrown if it is not ours. */
  readonly wrongKeyCode: string;
}

async function errorCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'NO_ERROR';
  } catch (error) {
    return isNeurolinkerError(error) ? error.code : String(error);
  }
}

function clientFor(input: SmokeInput, apiKey: string): NeurolinkerClient {
  // A single attempt each: a smoke test should fail fast, not retry through a broken runtime.
  return createNeurolinkerClient({ apiKey, baseUrl: input.apiBaseUrl, retry: false });
}

/**
 * Runs the unchanged core client against the simulator, using Web APIs only, so the same bundle
 * runs in Node, Bun, Deno, workerd and a browser.
 *
 * @example
 * ```ts
 * const result = await runSmoke({ apiBaseUrl, apiKey, documentId, requestId, unknownDocumentId, wrongApiKey });
 * console.log(JSON.stringify(result));
 * ```
 */
export async function runSmoke(input: SmokeInput): Promise<SmokeResult> {
  const client = clientFor(input, input.apiKey);
  const document = await client.getDocumentStatus(input.documentId);
  const request = await client.getRequestStatus(input.requestId);
  return {
    userAgent: globalThis.navigator?.userAgent,
    document: { document_id: document.document_id, status: document.status },
    request: { request_id: request.request_id, status: request.status },
    unknownDocumentCode: await errorCode(client.getDocumentStatus(input.unknownDocumentId)),
    wrongKeyCode: await errorCode(
      clientFor(input, input.wrongApiKey).getDocumentStatus(input.documentId),
    ),
  };
}
