import * as v from 'valibot';
import type { IdKind } from './assert-valid-id.ts';
import { InvalidResponseError } from './errors.ts';
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

/**
 * Parses a 2xx body for the id asked for. Bytes that are not JSON, fail the schema, or carry another
 * id in `document_id` / `request_id` are an `InvalidResponseError`: a status for another id (a
 * mis-keyed cache or proxy upstream) must never be taken, or cached, as the status asked for.
 */
export function parseAnswer<TSchema extends v.GenericSchema>(
  schema: TSchema,
  text: string,
  context: AnswerContext,
): v.InferOutput<TSchema> {
  const { kind, id, ...rest } = context;
  const subject = `${kind} ${id}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InvalidResponseError(`The answer for ${subject} is not JSON`, {
      ...rest,
      cause,
      bodyExcerpt: excerpt(text),
    });
  }
  const result = v.safeParse(schema, json);
  if (!result.success) {
    const issues = toPayloadIssues(result.issues);
    const first = issues[0];
    throw new InvalidResponseError(
      `The answer for ${subject} does not match the schema (${first?.path || '(root)'}: ${first?.message})`,
      { ...rest, issues, bodyExcerpt: excerpt(text) },
    );
  }
  const field = kind === 'document' ? 'document_id' : 'request_id';
  const answered: unknown = (result.output as Record<string, unknown>)[field];
  if (!sameId(answered, id)) {
    const message = `is ${excerpt(JSON.stringify(answered) ?? 'missing')}, not the id asked for`;
    throw new InvalidResponseError(
      `The answer for ${subject} is for another ${kind}: ${field} ${message}`,
      { ...rest, issues: [{ path: field, message }], bodyExcerpt: excerpt(text) },
    );
  }
  return result.output;
}
