import { assertBaseUrl, InvalidOptionError } from '@neurostatus/core/option-rules';
import type { CliIo } from './cli-io.ts';
import { type FlagSpec, parseArguments } from './parse-arguments.ts';
import { parseDuration } from './parse-duration.ts';
import { UsageError } from './usage-error.ts';

const FLAG_SPECS: readonly FlagSpec[] = [
  { name: 'api-key', takesValue: true },
  { name: 'base-url', takesValue: true },
  { name: 'no-color', takesValue: false },
  { name: 'debug', takesValue: false },
  { name: 'help', takesValue: false, short: 'h' },
  { name: 'version', takesValue: false, short: 'v' },
  { name: 'json', takesValue: false },
  { name: 'request', takesValue: true },
  { name: 'timeout', takesValue: true },
  { name: 'interval', takesValue: true },
  { name: 'not-found-grace', takesValue: true },
  { name: 'port', takesValue: true },
  { name: 'time-scale', takesValue: true },
];

const API_FLAGS = [
  'api-key',
  'base-url',
  'no-color',
  'debug',
  'help',
  'version',
  'json',
  'request',
];
const WATCH_FLAGS = [...API_FLAGS, 'timeout', 'interval', 'not-found-grace'];

/** The flags each command accepts; any other is a usage error rather than silently ignored. */
const COMMAND_FLAGS = {
  status: API_FLAGS,
  watch: WATCH_FLAGS,
  wait: WATCH_FLAGS,
  simulator: ['debug', 'help', 'version', 'no-color', 'port', 'time-scale'],
} as const;

/**
 * The commands of `neurostatus`.
 *
 * @example
 * ```ts
 * const command: CommandName = 'wait';
 * ```
 */
export type CommandName = keyof typeof COMMAND_FLAGS;

/**
 * How the output looks, decided once from the flags, the environment and the terminal.
 *
 * @example
 * ```ts
 * const mode: OutputMode = { interactive: true, color: false, json: false, debug: false };
 * ```
 */
export interface OutputMode {
  /** stdout is a terminal (and `TERM` is not `dumb`): live redraws and cursor codes are allowed. */
  readonly interactive: boolean;
  /** ANSI colours: only on a terminal, and never with `NO_COLOR` or `--no-color`. */
  readonly color: boolean;
  /** `--json`: NDJSON on stdout. */
  readonly json: boolean;
  /** `--debug`: HTTP requests and stack traces on stderr. */
  readonly debug: boolean;
}

/**
 * A validated `status`, `watch` or `wait` invocation (ids are checked later, by core's
 * `assertValidId`, when the command's code is loaded).
 *
 * @example
 * ```ts
 * const invocation = parseInvocation(['wait', 'doc-1'], io) as ApiInvocation;
 * invocation.documentIds; // ['doc-1']
 * ```
 */
export interface ApiInvocation extends OutputMode {
  readonly command: 'status' | 'watch' | 'wait';
  readonly documentIds: readonly string[];
  readonly requestId: string | undefined;
  /** From `--api-key` or `NEUROLINKER_API_KEY`; `undefined` when neither is set. */
  readonly apiKey: string | undefined;
  /** From `--base-url` or `NEUROLINKER_BASE_URL`; `undefined` for core's default. */
  readonly baseUrl: string | undefined;
  readonly timeoutMs: number | undefined;
  readonly intervalMs: number | undefined;
  readonly notFoundGraceMs: number | undefined;
}

/**
 * A validated `simulator` invocation.
 *
 * @example
 * ```ts
 * const invocation = parseInvocation(['simulator', '--port', '0'], io) as SimulatorInvocation;
 * ```
 */
export interface SimulatorInvocation extends OutputMode {
  readonly command: 'simulator';
  readonly port: number;
  readonly timeScale: number;
}

/**
 * What the command line asks for.
 *
 * @example
 * ```ts
 * const invocation = parseInvocation(['--version'], io); // { command: 'version' }
 * ```
 */
export type Invocation =
  | { readonly command: 'help'; readonly topic: CommandName | undefined }
  | { readonly command: 'version' }
  | ApiInvocation
  | SimulatorInvocation;

/**
 * Default port of `neurostatus simulator`, the same as the simulator package's `demo` script.
 *
 * @example
 * ```ts
 * `http://127.0.0.1:${DEFAULT_SIMULATOR_PORT}/api/v1`;
 * ```
 */
export const DEFAULT_SIMULATOR_PORT = 4010;

/** The shortest `--interval`: anything faster would hammer the API. */
const MIN_INTERVAL_MS = 50;

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_FLAGS, name);
}

/**
 * Parses and validates the whole command line, without loading any network code.
 *
 * @throws {UsageError} with a one-line message for anything malformed.
 * @example
 * ```ts
 * const invocation = parseInvocation(['wait', 'doc-1', '--timeout', '10m'], io);
 * if (invocation.command === 'wait') console.log(invocation.timeoutMs); // 600000
 * ```
 */
export function parseInvocation(argv: readonly string[], io: CliIo): Invocation {
  const { positionals, flags } = parseArguments(argv, FLAG_SPECS);
  if (flags.has('version')) return { command: 'version' };
  const [name, ...rest] = positionals;
  if (name === 'help') {
    const topic = rest[0];
    if (topic !== undefined && !isCommandName(topic)) throw unknownCommand(topic);
    return { command: 'help', topic };
  }
  if (name === undefined) {
    if (flags.has('help')) return { command: 'help', topic: undefined };
    throw new UsageError('no command given. Run "neurostatus --help" for usage');
  }
  if (!isCommandName(name)) throw unknownCommand(name);
  if (flags.has('help')) return { command: 'help', topic: name };
  const allowed: readonly string[] = COMMAND_FLAGS[name];
  for (const flag of flags.keys()) {
    if (!allowed.includes(flag)) {
      throw new UsageError(`--${flag} does not apply to "neurostatus ${name}"`);
    }
  }
  const mode = outputMode(flags, io);
  const text = (flag: string) => {
    const value = flags.get(flag);
    return typeof value === 'string' ? value : undefined;
  };
  if (name === 'simulator') {
    if (rest.length > 0) throw new UsageError(`unexpected argument "${clip(rest[0]!)}"`);
    return {
      command: name,
      ...mode,
      port: parsePort(text('port')),
      timeScale: parseScale(text('time-scale')),
    };
  }
  const requestId = text('request');
  if (requestId !== undefined && rest.length > 0) {
    throw new UsageError('give document ids or --request <request-id>, not both');
  }
  if (requestId === undefined && rest.length === 0) {
    throw new UsageError(
      `"neurostatus ${name}" needs at least one document id, or --request <request-id>`,
    );
  }
  const duration = (flag: string, allowZero = false) => {
    const value = text(flag);
    return value === undefined ? undefined : parseDuration(value, `--${flag}`, { allowZero });
  };
  const intervalMs = duration('interval');
  if (intervalMs !== undefined && intervalMs < MIN_INTERVAL_MS) {
    throw new UsageError(`--interval must be at least ${MIN_INTERVAL_MS}ms`);
  }
  const baseUrl = text('base-url') ?? nonEmpty(io.env.NEUROLINKER_BASE_URL);
  if (baseUrl !== undefined) checkBaseUrl(baseUrl, text('base-url') === undefined);
  return {
    command: name,
    ...mode,
    documentIds: [...new Set(rest)],
    requestId,
    apiKey: text('api-key') ?? nonEmpty(io.env.NEUROLINKER_API_KEY),
    baseUrl,
    timeoutMs: duration('timeout'),
    intervalMs,
    notFoundGraceMs: duration('not-found-grace', true),
  };
}

function outputMode(flags: ReadonlyMap<string, string | true>, io: CliIo): OutputMode {
  const interactive = io.stdout.isTTY === true && io.env.TERM !== 'dumb';
  // https://no-color.org: any non-empty NO_COLOR disables colour.
  const noColor = flags.has('no-color') || nonEmpty(io.env.NO_COLOR) !== undefined;
  const json = flags.has('json');
  return { interactive, color: interactive && !noColor && !json, json, debug: flags.has('debug') };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Core's base-URL rule; the message names where the URL came from, never the URL itself. */
function checkBaseUrl(value: string, fromEnv: boolean): void {
  const source = fromEnv ? 'NEUROLINKER_BASE_URL' : '--base-url';
  try {
    assertBaseUrl(value, source);
  } catch (error) {
    if (error instanceof InvalidOptionError) throw new UsageError(`${source} ${error.problem}`);
    throw error;
  }
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_SIMULATOR_PORT;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got "${clip(value)}"`);
  }
  return Number(value);
}

function parseScale(value: string | undefined): number {
  if (value === undefined) return 1;
  const scale = Number(value);
  if (value.trim() === '' || !Number.isFinite(scale) || scale <= 0) {
    throw new UsageError(`--time-scale must be a number > 0, got "${clip(value)}"`);
  }
  return scale;
}

function unknownCommand(name: string): UsageError {
  return new UsageError(
    `unknown command "${clip(name)}". Commands: status, watch, wait, simulator`,
  );
}

/** Keeps echoed input short and free of control characters. */
function clip(value: string): string {
  const short = value.length > 60 ? `${value.slice(0, 60)}…` : value;
  return JSON.stringify(short).slice(1, -1);
}
