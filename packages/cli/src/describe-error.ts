import { EXIT_CODES, type ExitCode } from './exit-codes.ts';
import { plainText } from './plain-text.ts';

/**
 * What the user is told about an error: one line, and the exit code.
 *
 * @example
 * ```ts
 * const { message, exitCode } = describeError(error);
 * ```
 */
export interface ErrorDescription {
  readonly message: string;
  readonly exitCode: ExitCode;
}

type Fields = {
  code?: unknown;
  message?: unknown;
  requestId?: unknown;
  exitCode?: unknown;
  timeoutMs?: unknown;
};

/** Hints by error `code`: what to do next. Core's own message already says what happened. */
const HINTS: Readonly<Record<string, readonly [ExitCode, string]>> = {
  AUTHENTICATION_FAILED: [
    EXIT_CODES.auth,
    'Check NEUROLINKER_API_KEY (or --api-key) and --base-url',
  ],
  PERMISSION_DENIED: [EXIT_CODES.auth, 'This key is not allowed to read it'],
  INSUFFICIENT_CREDITS: [EXIT_CODES.auth, 'The account has no credits left'],
  NOT_FOUND: [
    EXIT_CODES.notFound,
    'Check the id, and that it belongs to the account of this API key',
  ],
  RATE_LIMITED: [EXIT_CODES.unavailable, 'Too many requests: try again later'],
  SERVER_ERROR: [EXIT_CODES.unavailable, 'The API is unavailable: try again later'],
  UNEXPECTED_STATUS: [EXIT_CODES.unavailable, 'Run with --debug to see the requests'],
  TIMEOUT: [EXIT_CODES.unavailable, 'The API did not answer in time: try again later'],
  CONNECTION_FAILED: [
    EXIT_CODES.unavailable,
    'Check your network and the base URL (--base-url or NEUROLINKER_BASE_URL)',
  ],
  INVALID_RESPONSE: [
    EXIT_CODES.unavailable,
    'The API (or a proxy in between) sent an unusable answer; --debug shows details',
  ],
  INVALID_ID: [EXIT_CODES.usage, 'Ids are the UUIDs the API returned on submission'],
  WATCH_TIMEOUT: [EXIT_CODES.timeout, 'Raise --timeout to wait longer'],
};

/**
 * Maps any error to one line and an exit code. Works across realms and package copies: it reads
 * the error's `code`, never `instanceof`.
 *
 * @example
 * ```ts
 * describeError(new UsageError('--port needs a value')); // { exitCode: 2, message: '--port needs a value' }
 * ```
 */
export function describeError(error: unknown): ErrorDescription {
  const fields: Fields = typeof error === 'object' && error !== null ? (error as Fields) : {};
  const message = plainText(typeof fields.message === 'string' ? fields.message : String(error));
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  if (code === 'USAGE') return { exitCode: EXIT_CODES.usage, message };
  if (code === 'CLI_ERROR' && typeof fields.exitCode === 'number') {
    return { exitCode: fields.exitCode as ExitCode, message };
  }
  const hint = code === undefined ? undefined : HINTS[code];
  if (hint !== undefined) {
    const [exitCode, advice] = hint;
    const id =
      typeof fields.requestId === 'string' ? ` (x-request-id ${plainText(fields.requestId)})` : '';
    return { exitCode, message: `${stripPeriod(message)}${id}. ${advice}` };
  }

  return {
    exitCode: EXIT_CODES.failed,
    message: `unexpected error: ${stripPeriod(message)}. Run with --debug for details`,
  };
}

function stripPeriod(text: string): string {
  return text.endsWith('.') ? text.slice(0, -1) : text;
}
