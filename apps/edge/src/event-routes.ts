import { assertValidId, type NeurolinkerClient, parseDocumentStatus } from '@neurostatus/core';
import type { PollerClock, PollScheduler } from '@neurostatus/poller';
import { Hono, type MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AdmittedEnv } from './admission.ts';
import type { Tenant } from './authenticate.ts';
import { cacheKey, type StatusKind } from './cache-key.ts';
import type { EdgeConfig } from './config.ts';
import { documentStatusOfBody } from './durable/batched-document-statuses.ts';
import type { FeedMessage } from './durable/feed-message.ts';
import { errorBody } from './edge-error.ts';
import { eventStream, STREAM_FAILED } from './event-stream.ts';
import { createFeedHub, type FeedSource } from './feed-hub.ts';
import { feedMessages } from './feed-messages.ts';
import type { Fleet } from './fleet.ts';
import { fleetDocumentFeed } from './fleet-document-feed.ts';
import { heldOffClient } from './held-off-client.ts';
import type { HoldOff } from './hold-off.ts';
import { jsonError } from './json-error.ts';
import { describeStatusRoutes } from './openapi.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';
import { rememberRequestBody } from './remember-request-documents.ts';
import type { EdgeAppEnv } from './request-context.ts';
import { retryAfterSeconds } from './retry-after-seconds.ts';
import type { StatusCache } from './status-cache.ts';
import {
  finishedFeed,
  notFoundRemembered,
  ownDocumentFeed,
  type RememberAnswer,
  requestFeed,
  sharedDocumentFeed,
  sharedRequestFeed,
} from './status-feeds.ts';
import { notFoundAnswer } from './status-loader.ts';
import { STATUS_KINDS, STATUS_PATHS } from './status-paths.ts';
import type { StoredStatus } from './status-store.ts';
import { rememberFeedAnswer, streamEndKey } from './stream-memory.ts';
import { streamPreflight } from './stream-preflight.ts';
import { createStreamRefusals } from './stream-refusals.ts';
import { upstreamFailure } from './upstream-failure.ts';
import { waitUntilOf } from './wait-until.ts';

/** Options of {@link createEventRoutes}. */
export interface EventRoutesOptions {
  readonly config: Pick<EdgeConfig, 'mode' | 'maxEventStreams' | 'heartbeatMs'>;
  readonly cache: StatusCache;
  /** The hold-off after upstream 429s that status reads obey (the cache's): streams obey it too. */
  readonly holdOff: HoldOff;
  readonly metrics: ProxyMetrics;
  readonly clock: PollerClock;
  readonly scheduler: PollScheduler;
  /** See `EdgeParts.shareEventLoops`. */
  readonly shareEventLoops: boolean;
  readonly shutdown: AbortSignal | undefined;
  /** The checks before a route answers; see `admission`. */
  readonly admit: (kind: StatusKind) => MiddlewareHandler<AdmittedEnv>;
  /** See `EdgeParts.eventFeed`: where statuses come from instead of a poll loop here. */
  readonly eventFeed: ((request: EventFeedRequest) => FeedSource<string>) | undefined;
  /** See `EdgeParts.fleet`: where loops are shared, one instance runs each key's loop for all. */
  readonly fleet: Pick<Fleet, 'share'> | undefined;
}

/** What `EdgeParts.eventFeed` is asked for. */
export interface EventFeedRequest {
  readonly kind: StatusKind;
  readonly id: string;
  /** The client's `Authorization` header in `passthrough` mode (its key); otherwise undefined. */
  readonly authorization: string | undefined;
  /** Stores a status the feed brought in the proxy's cache. */
  readonly remember: (body: string, terminal: boolean) => void;
}

/** What {@link chooseFeed} picks from. */
interface FeedChoice {
  readonly kind: StatusKind;
  readonly id: string;
  readonly tenant: Tenant;
  /** The fresh cache entry, if any. */
  readonly cached: StoredStatus | undefined;
  readonly shareEventLoops: boolean;
  readonly scheduler: PollScheduler;
  readonly clock: PollerClock;
  readonly shutdown: AbortSignal | undefined;
  /** Stores each status the loop sees, and a final "not found" (for reconnects). */
  readonly remember: RememberAnswer;
  /** An outside feed (Workers: the status's Durable Object), asked instead of a loop here. */
  readonly eventFeed: (() => FeedSource<string>) | undefined;
  /** In a fleet: the fleet-wide feed of one of this tenant's requests, for documents to follow. */
  readonly followRequest:
    | ((requestId: string, signal: AbortSignal) => AsyncIterable<FeedMessage>)
    | undefined;
}

/**
 * The request a cached document status names (this tenant's entry, so this tenant's request):
 * given to the scheduler, the document's first poll is already its request's poll.
 */
function requestIdOf(cached: StoredStatus | undefined): string | undefined {
  if (cached?.status !== 200) return undefined;
  try {
    // The schema takes any string here; the scheduler would throw on one no request may have.
    return assertValidId(parseDocumentStatus(JSON.parse(cached.body)).request_id, 'request');
  } catch {
    return undefined;
  }
}

/**
 * Where a stream's statuses come from: a finished status in the cache needs no poll loop; a
 * document or a request shares the scheduler's poll (a request's is also the poll its watched
 * documents are batched on), or, where loops cannot be shared (Workers), gets a loop of its own
 * (a request's stopped by `shutdown`).
 */
function chooseFeed(choice: FeedChoice): FeedSource<string> {
  const { kind, id, tenant, cached, clock, remember } = choice;
  if (cached?.terminal === true) return finishedFeed(cached.body);
  if (choice.eventFeed !== undefined) return notFoundRemembered(kind, choice.eventFeed(), remember);
  if (kind === 'request') {
    return choice.shareEventLoops
      ? sharedRequestFeed(choice.scheduler, tenant.client, id, remember)
      : requestFeed(tenant.client, id, clock, choice.shutdown, remember);
  }
  if (choice.followRequest !== undefined) {
    return fleetDocumentFeed({
      scheduler: choice.scheduler,
      client: tenant.client,
      documentId: id,
      kept: cached?.status === 200 ? documentStatusOfBody(cached.body) : undefined,
      followRequest: choice.followRequest,
      remember,
    });
  }
  if (choice.shareEventLoops) {
    const requestId = requestIdOf(cached);
    return sharedDocumentFeed(choice.scheduler, tenant.client, id, remember, requestId);
  }
  return ownDocumentFeed(tenant.client, id, clock, remember);
}

/**
 * `GET /document-status/:id/events` and `GET /request-status/:id/events`: Server-Sent Events
 * that push each status as it changes, from one poll loop per document shared by its streams.
 * Counts open streams and poll loops (gauges on `metrics`). A sub-app, mounted under each prefix
 * with `app.route()`.
 *
 * @example
 * ```ts
 * app.route('/api/v1', createEventRoutes({ config, cache, metrics, clock, scheduler, ... }));
 * ```
 */
export function createEventRoutes(options: EventRoutesOptions): Hono<EdgeAppEnv> {
  const { config, cache, metrics, clock, scheduler, shareEventLoops, shutdown, admit, eventFeed } =
    options;
  /**
   * Each tenant's client under the hold-off, one object per client: the scheduler shares a loop
   * per (client object, id).
   */
  const heldOff = new WeakMap<NeurolinkerClient, NeurolinkerClient>();
  const streamsTenant = (tenant: Tenant): Tenant => {
    let client = heldOff.get(tenant.client);
    if (client === undefined) {
      client = heldOffClient(tenant.client, options.holdOff, tenant.cacheTenant);
      heldOff.set(tenant.client, client);
    }
    return { ...tenant, client };
  };
  let openStreams = 0;
  const { fleet } = options;
  const hub = fleet !== undefined && shareEventLoops ? { share: fleet.share } : {};
  const feeds = { document: createFeedHub<string>(hub), request: createFeedHub<string>(hub) };
  metrics.gauge(
    'neurostatus_edge_event_streams',
    'Open event streams (SSE connections).',
    () => openStreams,
  );
  metrics.gauge(
    'neurostatus_edge_poll_loops',
    'Event-stream feeds polled by this instance (one per document or request; a request and its documents share one request poll).',
    () => feeds.document.size + feeds.request.size,
  );
  /**
   * In a fleet, a document's feed follows its request's feed, fleet-wide like every feed: one
   * instance polls a request for all the streams of its documents, whichever instances lead them.
   */
  const followRequest =
    fleet !== undefined && shareEventLoops
      ? (cacheTenant: string, client: NeurolinkerClient) =>
          (requestId: string, signal: AbortSignal) => {
            const requestKey = cacheKey({ tenant: cacheTenant, kind: 'request', id: requestId });
            const remember: RememberAnswer = (answer) =>
              void rememberFeedAnswer(cache, requestKey, answer);
            const source = sharedRequestFeed(scheduler, client, requestId, remember);
            return feedMessages(
              (listener) => feeds.request.subscribe(requestKey, source, listener),
              signal,
            );
          }
      : undefined;
  const failureOf = (error: unknown) => upstreamFailure(error, config.mode);
  // What the upstream refused, so a reconnecting client is told so instead of polling again.
  const refusals = createStreamRefusals(() => clock.now());
  /** A failure event's data: the body a status read would answer with (the same 404 text). */
  const describeError =
    (kind: StatusKind) =>
    (error: unknown): string => {
      const failure = failureOf(error);
      if (failure === undefined) return STREAM_FAILED;
      if (failure.code === 'NOT_FOUND') return notFoundAnswer(kind).body;
      return errorBody(failure.code, failure.message);
    };

  const routes = new Hono<EdgeAppEnv>();
  for (const kind of STATUS_KINDS) {
    const path = `${STATUS_PATHS[kind]}/events`;
    routes.get(path, describeStatusRoutes(kind, 'events'), admit(kind), async (c) => {
      const { id } = c.var;
      const tenant = streamsTenant(c.var.tenant);
      const key = cacheKey({ tenant: tenant.cacheTenant, kind, id });
      // GET and HEAD agree: the cache may answer 204 (the client has the final status) or 404.
      const [cached, ended] = await Promise.all([cache.fresh(key), cache.fresh(streamEndKey(key))]);
      const early = streamPreflight({
        fresh: cached,
        ended,
        lastEventId: c.req.header('last-event-id'),
        refusal: refusals.find(key),
      });
      if (early?.body === null) return c.body(null, 204, early.headers);
      if (early !== undefined) {
        return c.body(early.body, early.status as ContentfulStatusCode, early.headers);
      }
      if (openStreams >= config.maxEventStreams) {
        return jsonError(
          c,
          'TOO_MANY_STREAMS',
          'The proxy has no room for another event stream.',
          503,
          { 'retry-after': retryAfterSeconds(5_000) },
        );
      }
      // HEAD: the headers of a stream, without starting one nobody will read.
      if (c.req.method === 'HEAD') {
        return c.body(null, 200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
        });
      }
      const waitUntil = waitUntilOf(c);
      const remember: RememberAnswer = (answer) =>
        // On Workers a write nobody waits for is cut short when the response ends.
        waitUntil(rememberFeedAnswer(cache, key, answer));
      const source = chooseFeed({
        kind,
        id,
        tenant,
        cached,
        remember,
        shareEventLoops,
        scheduler,
        clock,
        shutdown,
        followRequest:
          kind === 'document' ? followRequest?.(tenant.cacheTenant, tenant.client) : undefined,
        eventFeed:
          eventFeed === undefined
            ? undefined
            : () =>
                eventFeed({
                  kind,
                  id,
                  authorization:
                    config.mode === 'passthrough' ? c.req.header('authorization') : undefined,
                  remember: (body, terminal) => {
                    remember({ status: 200, body, terminal });
                    // Local loops' request polls store their documents through the client.
                    if (kind === 'request') {
                      waitUntil(rememberRequestBody(cache, tenant.cacheTenant, body));
                    }
                  },
                }),
      });
      // Unshared, each stream gets a feed key of its own, hence a loop of its own.
      const feedKey = shareEventLoops ? key : `${key}#${crypto.randomUUID()}`;
      openStreams++;
      return eventStream(c, {
        subscribe: (listener) =>
          feeds[kind].subscribe(feedKey, source, refusals.noting(key, failureOf, listener)),
        onClose: () => openStreams--,
        ...(shutdown === undefined ? {} : { shutdown }),
        ...(tenant.expiresAt === undefined ? {} : { closeAt: tenant.expiresAt }),
        describeError: describeError(kind),
        clock,
        heartbeatMs: config.heartbeatMs,
      });
    });
  }
  return routes;
}
