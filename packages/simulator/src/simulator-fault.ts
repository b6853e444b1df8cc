import {
  ID_PATTERN,
  readObject,
  readOptionalChoice,
  readOptionalNumber,
  readOptionalString,
} from './field-readers.ts';

/**
 * Which API route a fault applies to; `*` means both.
 *
 * @example
 * ```ts
 * simulator.setFault({ route: 'request-status' satisfies FaultRoute, kind: 'html' });
 * ```
 */
export type FaultRoute = 'document-status' | 'request-status' | '*';

/**
 * How a `drift` fault alters a real 200 payload, to test tolerance to schema drift:
 * - `numeric-user-uid`: `user_uid` becomes an integer (the schema table says int).
 * - `missing-fields`: `completed_at`, `results` and `document_page_url` are absent
 *   (request-status: `completed_at`, `job_page_url`, `total_size_bytes`, and in each document).
 * - `unknown-status`: `status` becomes `queued`, a value the docs never mention.
 * - `extra-fields`: new fields appear (`processing_stage`, `queue_position`, `results.markdown_path`).
 * - `wrong-types`: numbers become strings (`"421050"`) and `success` becomes `"true"`.
 *
 * @example
 * ```ts
 * simulator.setFault({ kind: 'drift', drift: 'numeric-user-uid' satisfies DriftKind, times: 1 });
 * ```
 */
export type DriftKind =
  | 'numeric-user-uid'
  | 'missing-fields'
  | 'unknown-status'
  | 'extra-fields'
  | 'wrong-types';

/**
 * What a fault does to a matching request. Faults act like a gateway in front of the service:
 * `status`, `html`, `delay`, `hang` and `drop` fire before authentication; `malformed-json` and
 * `drift` alter a real 200 response and wait (unconsumed) while the real response is an error.
 *
 * @example
 * ```ts
 * const rateLimited: FaultBehaviour = { kind: 'status', status: 429, retryAfter: '2' };
 * ```
 */
export type FaultBehaviour =
  | {
      readonly kind: 'status';
      /** An HTTP error status, 400–599. */
      readonly status: number;
      /** Raw `Retry-After` value: delay-seconds or an HTTP-date (RFC 9110 10.2.3). */
      readonly retryAfter?: string;
      /** Sent as a `retry-after-ms` header, as some gateways do. */
      readonly retryAfterMs?: number;
      /** `json` (default) sends `{"detail": ...}`; `html` sends an HTML error page. */
      readonly body?: 'json' | 'html';
    }
  /** 502 with the HTML page of a load balancer. */
  | { readonly kind: 'html' }
  /** 200, `content-type: application/json`, and the real body cut in half. */
  | { readonly kind: 'malformed-json' }
  | { readonly kind: 'drift'; readonly drift: DriftKind }
  /** Responds normally after `ms` milliseconds (through the injected `sleep`). */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Never responds, until the client aborts or the simulator is closed. */
  | { readonly kind: 'hang' }
  /** Destroys the connection without a response (502 where the runtime cannot). */
  | { readonly kind: 'drop' };

/**
 * A fault to inject: a behaviour, where it applies, and how many times.
 *
 * @example
 * ```ts
 * simulator.setFault({ route: 'document-status', id: documentId, kind: 'status', status: 503, times: 2 });
 * ```
 */
export type SimulatorFault = FaultBehaviour & {
  /** Default: `*` (both routes). */
  readonly route?: FaultRoute;
  /** Only requests for this document or request id. Default: any id. */
  readonly id?: string;
  /** How many matching requests it affects. Default: unlimited, until cleared. */
  readonly times?: number;
};

const KINDS = ['status', 'html', 'malformed-json', 'drift', 'delay', 'hang', 'drop'] as const;
const DRIFTS: readonly DriftKind[] = [
  'numeric-user-uid',
  'missing-fields',
  'unknown-status',
  'extra-fields',
  'wrong-types',
];
const COMMON_FIELDS = ['kind', 'route', 'id', 'times'];
const KIND_FIELDS: Record<(typeof KINDS)[number], readonly string[]> = {
  status: ['status', 'retryAfter', 'retryAfterMs', 'body'],
  html: [],
  'malformed-json': [],
  drift: ['drift'],
  delay: ['ms'],
  hang: [],
  drop: [],
};

/**
 * Validates untrusted input as a {@link SimulatorFault}; throws a `TypeError` naming the bad field.
 *
 * @example
 * ```ts
 * const fault = parseSimulatorFault(await request.json());
 * ```
 */
export function parseSimulatorFault(value: unknown): SimulatorFault {
  const loose = readObject(value, 'fault', [
    ...COMMON_FIELDS,
    ...Object.values(KIND_FIELDS).flat(),
  ]);
  const kind = readOptionalChoice(loose, 'kind', 'fault', KINDS);
  if (kind === undefined) throw new TypeError(`fault.kind must be one of ${KINDS.join(', ')}`);
  const body = readObject(value, `fault (kind ${kind})`, [...COMMON_FIELDS, ...KIND_FIELDS[kind]]);
  const common = {
    route: readOptionalChoice(body, 'route', 'fault', ['document-status', 'request-status', '*']),
    id: readOptionalString(body, 'id', 'fault', { pattern: ID_PATTERN }),
    times: readOptionalNumber(body, 'times', 'fault', { min: 1, integer: true }),
  };
  const behaviour = ((): Record<string, unknown> => {
    switch (kind) {
      case 'status': {
        const status = readOptionalNumber(body, 'status', 'fault', {
          min: 400,
          max: 599,
          integer: true,
        });
        if (status === undefined) throw new TypeError('fault.status is required for kind status');
        return {
          status,
          retryAfter: readOptionalString(body, 'retryAfter', 'fault', {
            // A header value: visible ASCII only, so it cannot smuggle a second header.
            pattern: /^[\x20-\x7e]{1,100}$/,
          }),
          retryAfterMs: readOptionalNumber(body, 'retryAfterMs', 'fault', { min: 0 }),
          body: readOptionalChoice(body, 'body', 'fault', ['json', 'html']),
        };
      }
      case 'drift': {
        const drift = readOptionalChoice(body, 'drift', 'fault', DRIFTS);
        if (drift === undefined) throw new TypeError('fault.drift is required for kind drift');
        return { drift };
      }
      case 'delay': {
        const ms = readOptionalNumber(body, 'ms', 'fault', { min: 0, max: 3_600_000 });
        if (ms === undefined) throw new TypeError('fault.ms is required for kind delay');
        return { ms };
      }
      default:
        return {};
    }
  })();
  return Object.fromEntries(
    Object.entries({ kind, ...common, ...behaviour }).filter(([, field]) => field !== undefined),
  ) as SimulatorFault;
}
