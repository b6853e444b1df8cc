/** One structured log line: never a key, a token, a query string or an `Authorization` header. */
export interface LogRecord {
  readonly time: string;
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly [field: string]: unknown;
}
