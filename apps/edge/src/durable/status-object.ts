import {
  createNeurolinkerClient,
  type DocumentStatus,
  type NeurolinkerClient,
  retryAfterMs,
} from '@neurostatus/core';
import { watchStatus } from '@neurostatus/poller';
import { bearerKey } from '../bearer-key.ts';
import { ConfigError, type EdgeConfig, loadEdgeConfig } from '../config.ts';
import { errorBody } from '../edge-error.ts';
import { createFeedHub, type FeedHub, type FeedSource } from '../feed-hub.ts';
import { createHoldOff, type HoldOff } from '../hold-off.ts';
import { documentLoopFeed, requestFeed } from '../status-feeds.ts';
import { statusAnswer } from '../status-loader.ts';
import { type AlarmClock, createAlarmClock } from './alarm-clock.ts';
import {
  batchedDocumentStatuses,
  documentStatusOfBody,
  requestIdOfStatus,
} from './batched-document-statuses.ts';
import { feedResponse } from './feed-response.ts';
import { callUpstream, type ObjectUpstream, objectUpstream } from './object-upstream.ts';
import { requestObjectFeed } from './request-object-feed.ts';
import {
  createStatusObjects,
  parseStatusObjectUrl,
  type StatusObjects,
  type StatusTarget,
} from './status-object-address.ts';
import { STATUS_OBJECTS_BINDING } from './status-object-parts.ts';
import { createStoredReply, type StoredReplies } from './stored-reply.ts';
import { stringBindings } from './string-bindings.ts';
import {
  type HttpReply,
  replayAnswer,
  replyResponse,
  type UpstreamReply,
} from './upstream-reply.ts';
import { type DurableObjectStateLike, isDurableObjectNamespace } from './workers-platform.ts';

/** The one feed of an object, in its hub. */
const FEED = 'feed';
/** The base URL of the object's loop client: its `fetch` never leaves the object. */
const LOOP_BASE_URL = 'https://status-object.invalid/api/v1';

/** What an object builds from its bindings on its first request. */
interface ObjectSetup {
  readonly config: EdgeConfig;
  readonly upstream: ObjectUpstream;
  readonly holdOff: HoldOff;
  readonly hub: FeedHub<string>;
  readonly clock: AlarmClock;
  /** Finds the other status objects (a document's request's); undefined without the binding. */
  readonly objects: (() => Promise<StatusObjects>) | undefined;
}

function jsonResponse(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/**
 * The Durable Object of one watched status of one tenant (named by `createStatusObjects`): the
 * one place, across every isolate and data center, that asks Neurolinker about it.
 *
 * - `GET /{kind}/{id}` answers the status. The answer kept in transactional storage is reused
 *   while fresh (the proxy's TTLs: one upstream call per freshness window, whoever asks, wherever),
 *   concurrent askers share one call, and a kept terminal status is never replaced by anything
 *   but a terminal one. Errors are relayed, never kept; a 429 holds the object off for the hinted
 *   time (the proxy's hold-off rules), and meanwhile it answers 429 itself.
 * - `GET /{kind}/{id}/events` attaches an event feed (newline-delimited JSON, see `FeedMessage`).
 *   The first attachment starts one poll loop: the poller's own (`watchStatus` / `watchRequest`,
 *   with its interval policy, hints and error rules), its sleeps turned into alarms; each change
 *   goes to every attached feed; the loop stops when the last feed detaches or the status is
 *   terminal. A document's loop polls the document only until an answer names its request: then
 *   it attaches to the request's object of the same tenant and takes the document's status from
 *   each request status that object's one loop brings (`batchedDocumentStatuses`), keeping it as
 *   its answer; where the request's list cannot tell, it polls the document again.
 *
 * The upstream key arrives with each request (`Authorization`, in passthrough mode) and lives only
 * in memory while it is used; in the other modes it is the proxy's secret binding. Storage holds
 * the upstream's answer (body, status, a few headers, times), never a key.
 *
 * @example
 * ```ts
 * // src/runtimes/cloudflare.ts
 * export { StatusObject } from '../durable/status-object.ts';
 * // wrangler.jsonc: "durable_objects": { "bindings": [{ "name": "STATUS_OBJECTS", "class_name": "StatusObject" }] }
 * ```
 */
export class StatusObject {
  readonly #state: DurableObjectStateLike;
  readonly #env: Record<string, unknown>;
  #setup: ObjectSetup | undefined;
  #reply: HttpReply | undefined;
  readonly #stored: StoredReplies;
  #inflight: Promise<UpstreamReply> | undefined;
  /** One heartbeat per attached feed. */
  readonly #beats = new Set<() => void>();

  constructor(state: DurableObjectStateLike, env: Record<string, unknown>) {
    this.#state = state;
    this.#env = env;
    this.#stored = createStoredReply(state.storage);
    void state.blockConcurrencyWhile(async () => {
      this.#reply = await this.#stored.load();
    });
  }

  async fetch(request: Request): Promise<Response> {
    const target = parseStatusObjectUrl(new URL(request.url));
    if (target === undefined || request.method !== 'GET') {
      return jsonResponse(404, errorBody('ROUTE_NOT_FOUND', 'No such route.'));
    }
    let setup: ObjectSetup;
    try {
      setup = this.#setupOf();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return jsonResponse(500, errorBody('INVALID_CONFIG', error.message));
    }
    const key = bearerKey(request.headers.get('authorization')) ?? setup.upstream.proxyKey;
    if (key === undefined) {
      return jsonResponse(401, errorBody('MISSING_CREDENTIALS', 'No upstream key.'));
    }
    if (target.route === 'events') return this.#attach(setup, target, key);
    return replyResponse(await this.#ask(setup, target, key), Date.now());
  }

  /**
   * Wakes the poll loop's sleep; with no loop (a restarted object), nothing happens. Each feed gets
   * a heartbeat first: a stream is only found closed when written to (workerd cancels it then), so
   * a Worker that left is noticed here, and the loop stops with its last feed.
   */
  async alarm(): Promise<void> {
    if (this.#setup?.clock.sleeping === true) {
      this.#beat();
      this.#setup.clock.fire();
      return;
    }
    // No loop: the alarm is the kept answer's expiry (or the leftover of a restarted object's loop).
    const kept = this.#reply;
    if (kept === undefined) return;
    let setup: ObjectSetup;
    try {
      setup = this.#setupOf();
    } catch {
      return; // a bad configuration: the Worker answers 500 before anything reaches the object
    }
    const expiresAt = this.#expiresAt(setup, kept);
    if (Date.now() < expiresAt) {
      await this.#state.storage.setAlarm(expiresAt);
      return;
    }
    this.#reply = undefined;
    await this.#stored.clear();
  }

  /** A heartbeat to every attached feed. */
  #beat(): void {
    for (const beat of [...this.#beats]) beat();
  }

  #setupOf(): ObjectSetup {
    if (this.#setup !== undefined) return this.#setup;
    const config = loadEdgeConfig(stringBindings(this.#env));
    const now = () => Date.now();
    const namespace = this.#env[STATUS_OBJECTS_BINDING];
    let objects: Promise<StatusObjects> | undefined;
    this.#setup = {
      config,
      upstream: objectUpstream(config),
      // One key and one scope: this object's status, under this object's tenant key.
      holdOff: createHoldOff({ now, maxKeys: 1 }),
      hub: createFeedHub<string>(),
      clock: createAlarmClock(this.#state.storage, now, () => this.#scheduleExpiry()),
      objects: isDurableObjectNamespace(namespace)
        ? () => {
            objects ??= createStatusObjects({
              namespace,
              mode: config.mode,
              secret: config.secret,
            });
            return objects;
          }
        : undefined,
    };
    return this.#setup;
  }

  /** When the kept answer is no use any more: past its freshness and the stale window. */
  #expiresAt(setup: ObjectSetup, reply: HttpReply): number {
    const staleMs = reply.status === 404 ? 0 : setup.config.ttl.staleMs;
    return reply.receivedAt + this.#freshMs(setup, reply) + staleMs;
  }

  /**
   * With no loop running, the alarm is the kept answer's expiry, when `alarm()` deletes the
   * object's storage: an object watched once does not keep a row forever.
   */
  async #scheduleExpiry(): Promise<void> {
    const setup = this.#setup;
    if (setup === undefined || setup.clock.sleeping) return;
    const kept = this.#reply;
    if (kept === undefined) await this.#state.storage.deleteAlarm();
    else await this.#state.storage.setAlarm(this.#expiresAt(setup, kept));
  }

  /** The status: kept and fresh, or held off, or from one upstream call shared by every asker. */
  #ask(setup: ObjectSetup, target: StatusTarget, key: string): Promise<UpstreamReply> {
    const now = Date.now();
    const kept = this.#reply;
    if (kept !== undefined && now < kept.receivedAt + this.#freshMs(setup, kept)) {
      return Promise.resolve(kept);
    }
    const heldMs = setup.holdOff.remainingMs(FEED, FEED);
    if (heldMs > 0) {
      return Promise.resolve({
        type: 'http',
        status: 429,
        body: JSON.stringify({ detail: 'Held off after a 429 from Neurolinker.' }),
        headers: { 'content-type': 'application/json', 'retry-after-ms': String(heldMs) },
        receivedAt: now,
        terminal: false,
        storable: false,
      });
    }
    this.#inflight ??= this.#call(setup, target, key).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  #freshMs(setup: ObjectSetup, reply: HttpReply): number {
    const { ttl } = setup.config;
    return reply.status === 404 ? ttl.notFoundMs : reply.terminal ? ttl.terminalMs : ttl.activeMs;
  }

  async #call(setup: ObjectSetup, target: StatusTarget, key: string): Promise<UpstreamReply> {
    const reply = await callUpstream(setup.upstream, target, key);
    if (reply.type !== 'http') return reply;
    if (reply.status === 429) {
      const hintMs = retryAfterMs(new Headers(reply.headers), Date.now());
      setup.holdOff.rateLimited(FEED, FEED, hintMs);
    }
    return reply.storable ? this.#keep(reply) : reply;
  }

  /** Keeps an answer, unless a terminal one is kept and this one is not: that one stays. */
  async #keep(reply: HttpReply): Promise<HttpReply> {
    const kept = this.#reply;
    if (kept?.terminal === true && !reply.terminal) return kept;
    this.#reply = reply;
    try {
      await this.#stored.save(reply);
    } catch (error) {
      // Still this object's answer. A restarted one must not load the answer this one replaced
      // (it may be older than what was served since), so none is kept. The class name only: a
      // message could quote what was stored.
      const kind = error instanceof Error ? error.name : typeof error;
      console.error(`neurostatus: a status object could not store its answer (${kind}).`);
      await this.#stored.clear().catch(() => undefined);
    }
    await this.#scheduleExpiry();
    return reply;
  }

  /** A client whose every call is `#ask`: the loop shares the object's calls and answers. */
  #loopClient(setup: ObjectSetup, target: StatusTarget, key: string): NeurolinkerClient {
    const timeoutMs = setup.config.upstreamTimeoutMs;
    return createNeurolinkerClient({
      apiKey: key,
      baseUrl: LOOP_BASE_URL,
      timeoutMs,
      deadlineMs: timeoutMs,
      retry: false,
      maxResponseBytes: setup.config.upstreamMaxBytes,
      fetch: async (_input, init) =>
        replayAnswer(
          replyResponse(await this.#ask(setup, target, key), Date.now()),
          init?.signal ?? undefined,
        ),
    });
  }

  #attach(setup: ObjectSetup, target: StatusTarget, key: string): Response {
    const client = this.#loopClient(setup, target, key);
    const source: FeedSource<string> =
      target.kind === 'document'
        ? documentLoopFeed(this.#documentStatuses(setup, target.id, client, key), () => {})
        : requestFeed(client, target.id, setup.clock, undefined, () => {});
    return feedResponse({
      kind: target.kind,
      subscribe: (listener) => setup.hub.subscribe(FEED, source, listener),
      beats: this.#beats,
      // The loop is over: the alarm is the kept answer's expiry again.
      onFinish: () => void this.#scheduleExpiry(),
    });
  }

  /**
   * A document's loop: its own polls until an answer names its request, then the feed of the
   * request's object of the same tenant (`batchedDocumentStatuses`), so the documents of a request
   * cost one request loop, not a loop each. Without the binding (a Worker that names it otherwise),
   * the document is polled on its own.
   */
  #documentStatuses(
    setup: ObjectSetup,
    id: string,
    client: NeurolinkerClient,
    key: string,
  ): (signal: AbortSignal) => AsyncIterable<DocumentStatus> {
    const poll = (signal: AbortSignal) => watchStatus(client, id, { signal, clock: setup.clock });
    if (setup.objects === undefined) return poll;
    const kept = this.#reply;
    // A kept terminal status needs no request: the loop's first poll answers it from storage.
    const keptStatus =
      kept?.status === 200 && !kept.terminal ? documentStatusOfBody(kept.body) : undefined;
    return batchedDocumentStatuses({
      documentId: id,
      requestId: keptStatus === undefined ? undefined : requestIdOfStatus(keptStatus),
      kept: keptStatus,
      poll,
      // The credential the document's own attachment came with: the same tenant, never stored.
      follow: requestObjectFeed(
        setup.objects,
        setup.config.mode === 'passthrough' ? `Bearer ${key}` : undefined,
      ),
      keep: (status) => this.#keepFromRequest(status),
      beat: () => this.#beat(),
    });
  }

  /**
   * Keeps a document status its request's feed brought as this object's answer, as if polled, so
   * reads of the document are answered from it while it is fresh.
   */
  async #keepFromRequest(status: DocumentStatus): Promise<boolean> {
    let answer: ReturnType<typeof statusAnswer>;
    try {
      answer = statusAnswer('document', status);
    } catch {
      return false; // nested too deep to serve: the document's own poll says so
    }
    await this.#keep({
      type: 'http',
      status: 200,
      body: answer.body,
      headers: { 'content-type': 'application/json' },
      receivedAt: Date.now(),
      terminal: answer.terminal,
      storable: true,
    });
    return true;
  }
}
