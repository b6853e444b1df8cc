import * as v from 'valibot';
import type { IdKind } from './assert-valid-id.ts';
import { InvalidResponseError, type PayloadIssue } from './errors.ts';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './exceeds-json-depth.ts';
import { toPayloadIssues } from './parse-status.ts';

const EXCERPT_LENGTH = 200;

/** What the client knew about the answer it parses, for the error's context. */
export interface AnswerContext {
  readonly kind: IdKind;
  /** The id asked for. */
  readonly id: string;
  readonly status: number;
  readonly requestId: string | undefined;
  readonly attempts: number;
  /** Removes the key from text the upstream sent, see `secretRedactor()`. */
  readonly redact: (text: string) => string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Ids are opaque and compared exactly, except UUIDs, whose hex digits carry no case (RFC 9562 4):
 * a server that stores them as UUIDs answers in lower case whatever case it was asked in.
 */
function sameId(answered: unknown, asked: string): boolean {
  if (answered === asked) return true;
  return (
    typeof answered === 'string' &&
    UUID.test(asked) &&
    UUID.test(answered) &&
    answered.toLowerCase() === asked.toLowerCase()
  );
}

function excerpt(text: string): string {
  return text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH)}…` : text;
}

type Refusal = Omit<AnswerContext, 'kind' | 'id'> & { readonly text: string };

/**
 * The error for an answer refused: every string in it that came from the answer (the message,
 * the issues, the excerpt, cut after redaction) goes through `redact`, since a key echoed
 * JSON-escaped in the body is plain once parsed.
 */
function refusal(
  message: string,
  { redact, text, ...context }: Refusal,
  issues: readonly PayloadIssue[] = [],
  cause?: unknown,
): InvalidResponseError {
  return new InvalidResponseError(redact(message), {
    ...context,
    ...(cause === undefined ? {} : { cause }),
    issues: issues.map(({ path, message }) => ({ path: redact(path), message: redact(message) })),
    bodyExcerpt: excerpt(redact(text)),
  });
}

/**
 * Parses a 2xx body for the id asked for. Bytes that are not JSON, nest deeper than
 * `MAX_JSON_DEPTH`, fail the schema, or carry another id in `document_id` / `request_id` are an
 * `InvalidResponseError`: a status for another id (a mis-keyed cache or proxy upstream) must never
 * be taken, or cached, as the status asked for.
 */
export function parseAnswer<TSchema extends v.GenericSchema>(
  schema: TSchema,
  text: string,
  context: AnswerContext,
): v.InferOutput<TSchema> {
  const { kind, id, ...rest } = context;
  const subject = `${kind} ${id}`;
  const refused = { ...rest, text };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not kept as the cause: V8's SyntaxError quotes the text around the fault, unredacted.
    throw refusal(`The answer for ${subject} is not JSON`, refused);
  }
  if (exceedsJsonDepth(json)) {
    const problem = `is nested deeper than ${MAX_JSON_DEPTH} levels`;
    throw refusal(`The answer for ${subject} ${problem}`, refused, [
      { path: '', message: problem },
    ]);
  }
  const result = v.safeParse(schema, json);
  if (!result.success) {
    const issues = toPayloadIssues(result.issues);
    const first = issues[0];
    const where = `${first?.path || '(root)'}: ${first?.message}`;
    throw refusal(
      `The answer for ${subject} does not match the schema (${where})`,
      refused,
      issues,
    );
  }
  const field = kind === 'document' ? 'document_id' : 'request_id';
  const answered: unknown = (result.output as Record<string, unknown>)[field];
  if (!sameId(answered, id)) {
    // Redacted before the cut, which could leave the start of the key.
    const quoted = excerpt(rest.redact(JSON.stringify(answered) ?? 'missing'));
    const message = `is ${quoted}, not the id asked for`;
    const text = `The answer for ${subject} is for another ${kind}: ${field} ${message}`;
    throw refusal(text, refused, [{ path: field, message }]);
  }
  return result.output;
}
