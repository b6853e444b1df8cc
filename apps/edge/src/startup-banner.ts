import { DEMO_API_KEY, DEMO_DOCUMENT_IDS, DEMO_REQUEST_ID } from '@neurostatus/simulator';
import type { EdgeConfig } from './config.ts';
import { mintStatusToken } from './status-token.ts';

/**
 * What a runtime entry prints once listening: where, in which mode, against which upstream, and,
 * on the embedded simulator, ready-to-paste `curl` lines for a status and two event streams. The
 * first line is stable (`neurostatus edge listening on <url>`) so scripts can wait for it. No
 * configured secret or key is ever printed; on the simulator, the demo key and a demo token are.
 *
 * @example
 * ```ts
 * console.log(await startupBanner(edge.config, `http://${host}:${port}`, 'Node'));
 * ```
 */
export async function startupBanner(
  config: EdgeConfig,
  origin: string,
  runtime: string,
): Promise<string> {
  const lines = [`neurostatus edge listening on ${origin}`];
  if (config.upstream.kind === 'api') {
    // Issue 14: the live page, first after the line scripts wait for.
    lines.push(`  Live page: ${origin}/?request=<request id>`);
    lines.push(`  runtime: ${runtime}; tenancy: ${config.mode}`);
    lines.push(`  upstream: ${config.upstream.baseUrl}`);
    return lines.join('\n');
  }
  const [document] = DEMO_DOCUMENT_IDS;
  let auth = '';
  let fragment = '';
  if (config.mode === 'passthrough') auth = ` -H 'Authorization: Bearer ${DEMO_API_KEY}'`;
  if (config.mode === 'scoped-token') {
    const token = await mintStatusToken({
      secret: config.secret,
      documentIds: [...DEMO_DOCUMENT_IDS],
      requestIds: [DEMO_REQUEST_ID],
      ttlSeconds: 3_600,
    });
    auth = ` -H 'Authorization: Bearer ${token}'`;
    // In the fragment, which browsers never send: the page reads it and drops it from the URL.
    fragment = `#token=${token}`;
  }
  // Issue 14: the live page, first after the line scripts wait for, opened on the demo request.
  lines.push(`  Live page: ${origin}/?request=${DEMO_REQUEST_ID}${fragment}`);
  if (config.mode === 'passthrough')
    lines.push(`  (it asks for a key: the demo key is ${DEMO_API_KEY})`);
  lines.push(`  runtime: ${runtime}; tenancy: ${config.mode}`);
  lines.push(
    '  upstream: the embedded simulator (NEUROLINKER_API_KEY is not set).',
    '  Its demo request has four documents that finish over the next minute (one fails).',
  );
  lines.push(
    '',
    '  A status (run it twice: the second answer is a cache hit, see Cache-Status):',
    `    curl -i${auth} ${origin}/api/v1/document-status/${document}`,
    '  Every change of that document, pushed as it happens (Server-Sent Events):',
    `    curl -N${auth} ${origin}/api/v1/document-status/${document}/events`,
    '  The whole demo request as it progresses:',
    `    curl -N${auth} ${origin}/api/v1/request-status/${DEMO_REQUEST_ID}/events`,
    '',
    `  Also: ${origin}/healthz, ${origin}/metrics, ${origin}/openapi.json. Ctrl+C stops it.`,
  );
  return lines.join('\n');
}
