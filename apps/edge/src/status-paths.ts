import type { StatusKind } from './cache-key.ts';

/** The prefixes the API answers on; each route group is mounted under both. */
export const STATUS_PREFIXES = ['/api/v1', '/v1'] as const;

/** The status routes of each kind, below a prefix. */
export const STATUS_PATHS: Readonly<Record<StatusKind, string>> = {
  document: '/document-status/:id',
  request: '/request-status/:id',
};

/** The kinds of status the proxy serves, in route order. */
export const STATUS_KINDS: readonly StatusKind[] = ['document', 'request'];
