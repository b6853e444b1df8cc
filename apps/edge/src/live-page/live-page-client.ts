// The live page's script (issue 14), run in the browser: bundled by esbuild into
// `live-page-script.generated.ts` (see `build-live-page.mjs`); no framework, nothing from a CDN.
// It watches one request through the poller's event-stream transport and draws its documents.
import {
  createNeurolinkerClient,
  type DocumentStatus,
  type RequestDocument,
} from '@neurostatus/core';
import { createCompletionEstimator, type RequestProgress, watchRequest } from '@neurostatus/poller';

type Mode = 'open' | 'passthrough' | 'scoped-token';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const estimator = createCompletionEstimator();
let latest: RequestProgress | undefined;

/** A nested document result as a document status, when it says enough to estimate. */
function documentOf(entry: RequestDocument): DocumentStatus | undefined {
  const result = entry.result;
  if (result?.document_id === undefined || result.request_id === undefined) return undefined;
  return {
    started_at: null,
    completed_at: null,
    results: {},
    ...result,
    status: entry.status,
  } as DocumentStatus;
}

function secondsLeft(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 90 ? `about ${seconds} s left` : `about ${Math.ceil(seconds / 60)} min left`;
}

/** How far along a document is, 0 to 1, and what to say about it; `undefined`: cannot tell. */
function documentProgress(entry: RequestDocument, now: number): [number | undefined, string] {
  if (entry.status === 'completed') return [1, 'done'];
  if (entry.status === 'failed') return [1, 'failed'];
  const document = documentOf(entry);
  const started = document?.started_at ? Date.parse(document.started_at) : Number.NaN;
  const expected = document && estimator.expect(document);
  if (entry.status === 'pending' || expected === undefined || !Number.isFinite(started)) {
    return [entry.status === 'pending' ? 0 : undefined, entry.status === 'pending' ? 'queued' : ''];
  }
  const fraction = (now - started) / Math.max(1, expected.atMs - started);
  if (fraction >= 1) return [0.99, 'any moment now'];
  return [Math.max(0, fraction), secondsLeft(expected.atMs - now)];
}

function setProgress(bar: HTMLProgressElement, value: number | undefined): void {
  // No value: an indeterminate bar (the page cannot tell how far along it is).
  if (value === undefined) bar.removeAttribute('value');
  else bar.value = value;
}

const rows = new Map<string, HTMLTableRowElement>();

function row(entry: RequestDocument): HTMLTableRowElement {
  const existing = rows.get(entry.document_id);
  if (existing) return existing;
  const tr = document.createElement('tr');
  tr.dataset.id = entry.document_id;
  rows.set(entry.document_id, tr);
  for (const name of ['name', 'pages', 'status', 'progress']) {
    const td = document.createElement('td');
    td.className = name;
    tr.append(td);
  }
  const bar = document.createElement('progress');
  bar.max = 1;
  const note = document.createElement('span');
  note.className = 'note';
  tr.querySelector('.progress')?.append(bar, note);
  $('rows').append(tr);
  return tr;
}

function render(): void {
  if (latest === undefined) return;
  const { request } = latest;
  const now = Date.now();
  let pages = 0;
  for (const entry of request.documents) {
    const tr = row(entry);
    const document = documentOf(entry);
    pages += document?.total_pages ?? 0;
    tr.dataset.status = entry.status;
    (tr.querySelector('.name') as HTMLElement).textContent =
      entry.filename ?? document?.file_name ?? entry.document_id;
    (tr.querySelector('.pages') as HTMLElement).textContent = String(document?.total_pages ?? '');
    (tr.querySelector('.status') as HTMLElement).textContent = entry.status;
    const [fraction, note] = documentProgress(entry, now);
    setProgress(tr.querySelector('progress') as HTMLProgressElement, fraction);
    (tr.querySelector('.note') as HTMLElement).textContent = note;
  }
  const { completed, failed, processing, total, fraction, etaMs, terminal } = latest;
  $('totals').textContent =
    `${completed} completed · ${failed} failed · ${processing} in progress · ${total} documents, ${pages} pages`;
  $('eta').textContent = terminal
    ? `finished: ${request.status}`
    : etaMs === undefined
      ? ''
      : secondsLeft(etaMs);
  setProgress($<HTMLProgressElement>('overall'), fraction);
  $('summary').dataset.status = request.status;
}

function say(text: string, kind: 'info' | 'error' = 'info'): void {
  const message = $('message');
  message.textContent = text;
  message.dataset.kind = kind;
}

async function watch(requestId: string, credential: string | undefined): Promise<void> {
  const baseUrl = `${location.origin}/api/v1`;
  // Polling, where a stream cannot be had, goes through the same proxy with the same credential
  // (an `open` proxy ignores it: the client needs some key to send).
  const client = createNeurolinkerClient({
    apiKey: credential ?? 'anonymous',
    baseUrl,
    retry: false,
  });
  $('summary').hidden = false;
  $('documents').hidden = false;
  $('request-id').textContent = requestId;
  say('Watching…');
  const ticker = setInterval(render, 1000);
  try {
    for await (const progress of watchRequest(client, requestId, {
      transport: 'auto',
      events: { baseUrl, getToken: () => credential },
      estimator,
    })) {
      latest = progress;
      render();
    }
    say('Every document has finished.');
  } catch (error) {
    // Typed errors carry messages without credentials (the client never puts one in a message).
    say(error instanceof Error ? error.message : 'The watch failed.', 'error');
  } finally {
    clearInterval(ticker);
    render();
  }
}

function ask(form: HTMLFormElement, field: HTMLInputElement, then: (value: string) => void): void {
  form.hidden = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = field.value.trim();
    if (value === '') return;
    // Kept in memory only: never stored, never put in the URL.
    field.value = '';
    form.hidden = true;
    then(value);
  });
  field.focus();
}

function start(): void {
  const mode = (document.body.dataset.mode ?? 'open') as Mode;
  let requestId = new URLSearchParams(location.search).get('request') ?? '';
  let credential: string | undefined;
  if (mode === 'scoped-token') {
    credential = new URLSearchParams(location.hash.slice(1)).get('token') ?? undefined;
    // Out of the address bar and the history: the token stays in this page's memory only.
    if (location.hash !== '') history.replaceState(null, '', location.pathname + location.search);
    if (credential === undefined) {
      say(
        'This proxy needs a status token: open the link your application gave you (…#token=…).',
        'error',
      );
      return;
    }
  }
  const withRequest = (key: string | undefined) => {
    if (requestId !== '') {
      void watch(requestId, key);
      return;
    }
    ask($('request-form'), $('request-field'), (value) => {
      requestId = value;
      history.replaceState(null, '', `${location.pathname}?request=${encodeURIComponent(value)}`);
      void watch(requestId, key);
    });
  };
  if (mode === 'passthrough') ask($('key-form'), $('key-field'), withRequest);
  else withRequest(credential);
}

start();
