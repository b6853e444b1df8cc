/** Builds a response whose headers are a `Headers` object; see {@link createTemplatedResponses}. */
export type TemplatedResponses = (
  requestId: string,
  body: string | Uint8Array | null,
  status: number,
  headers: Readonly<Record<string, string>>,
  basis?: object,
) => Response;

/** The headers of the last answer built for one `basis`, before its request id. */
interface Template {
  readonly status: number;
  readonly headers: Headers;
  readonly values: Readonly<Record<string, string>>;
  readonly count: number;
}

/**
 * Responses with `security`, a request id and each answer's `headers`, all in a `Headers` object:
 * the form Bun's server takes most cheaply (it turns a plain record into its native headers on
 * every response; copying a `Headers` object costs about half, and each `set` on it a little).
 *
 * Each response copies a template and sets what differs. The template is `security` alone, or,
 * given a `basis` (an object that stands for one set of headers, such as a cached entry: its ETag,
 * `Cache-Control` and type stay, its `Age` and `Cache-Status` move), the headers of the last
 * answer built for that basis with the same status and the same header names: then only the
 * values that changed and the request id are set. An answer with other names or another status
 * starts a new template. The headers sent are the same either way.
 *
 * @example
 * ```ts
 * const respond = createTemplatedResponses({ 'x-content-type-options': 'nosniff' });
 * return respond(requestId, entry.body, 200, { etag: entry.etag, age: '3' }, entry);
 * ```
 */
export function createTemplatedResponses(
  security: Readonly<Record<string, string>>,
): TemplatedResponses {
  const base = new Headers(security);
  const templates = new WeakMap<object, Template>();
  return (requestId, body, status, headers, basis) => {
    const template = basis === undefined ? undefined : templates.get(basis);
    if (template !== undefined && template.status === status && sameNames(template, headers)) {
      const all = new Headers(template.headers);
      all.set('x-request-id', requestId);
      for (const name in headers) {
        const value = headers[name] as string;
        if (value !== template.values[name]) all.set(name, value);
      }
      return new Response(body as BodyInit | null, { status, headers: all });
    }
    const made = new Headers(base);
    let count = 0;
    for (const name in headers) {
      made.set(name, headers[name] as string);
      count++;
    }
    if (basis !== undefined)
      templates.set(basis, { status, headers: made, values: { ...headers }, count });
    const all = new Headers(made);
    all.set('x-request-id', requestId);
    return new Response(body as BodyInit | null, { status, headers: all });
  };
}

/** Whether `headers` has exactly the names `template` was made with. */
function sameNames(template: Template, headers: Readonly<Record<string, string>>): boolean {
  let count = 0;
  for (const name in headers) {
    if (!(name in template.values)) return false;
    count++;
  }
  return count === template.count;
}
