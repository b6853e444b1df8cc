import { InvalidIdError, type RequestStatus } from '@neurostatus/core';
import { DEMO_API_KEY } from '@neurostatus/simulator';
import { describe, expect, it } from 'vitest';
import { isWatchTimeoutError } from './errors.ts';
import { fixedInterval } from './fixed-interval.ts';
import { createPollScheduler } from './poll-scheduler.ts';
import { collect, trackedSetup, twoTenantSetup, useHarness } from './test-support/harness.ts';

const harness = useHarness();

const doc = (processingMs: number) => ({ totalPages: 1, pendingMs: 1_000, processingMs });

function submit(processingMs: readonly number[], apiKey = DEMO_API_KEY) {
  return harness.server.simulator.createRequest({ apiKey, documents: processingMs.map(doc) });
}

const count = (ids: readonly string[], id: string) => ids.filter((seen) => seen === id).length;

const setup = () => {
  const tracked = trackedSetup(harness);
  const scheduler = createPollScheduler({ clock: tracked.clock, policy: fixedInterval(1_000) });
  return { ...tracked, scheduler };
};

const stateOf = (request: RequestStatus) =>
  `${request.status} ${request.documents.map((d) => d.status).join(',')}`;

describe('scheduler.watchRequest and subscribeRequest: a request watched through the shared poll', () => {
  it('yields each change of the request, ends with its terminal status, and polls only the request', async () => {
    const { requestId } = submit([3_000, 5_000]);
    const { client, log, run, scheduler } = setup();
    const statuses = await run(collect(scheduler.watchRequest(client, requestId)));
    const states = statuses.map(stateOf);
    expect(new Set(states).size).toBe(states.length); // deduplicated
    expect(statuses.at(-1)?.status).toBe('completed');
    expect(states.at(-1)).toBe('completed completed,completed');
    expect(new Set(log.ids)).toEqual(new Set([requestId]));
    // One poll a second at the policy's pace: 1 s pending + 5 s processing.
    expect(log.ids.length).toBeGreaterThanOrEqual(6);
    expect(log.ids.length).toBeLessThanOrEqual(8);
    expect(scheduler.stats()).toMatchObject({ batches: 0, consumers: 0 });
  });

  it("emit: 'every' yields each poll's status, repeats included", async () => {
    const { requestId } = submit([4_000]);
    const { client, log, run, scheduler } = setup();
    const statuses = await run(
      collect(scheduler.watchRequest(client, requestId, { emit: 'every' })),
    );
    expect(statuses).toHaveLength(log.ids.length);
    expect(new Set(statuses.map(stateOf)).size).toBeLessThan(statuses.length);
  });

  it("shares one request poll a round between the request's watchers and its documents' watchers", async () => {
    const { requestId, documentIds } = submit([4_000, 6_000, 8_000]);
    const { client, log, run, scheduler } = setup();
    const [requests, ...documents] = await run(
      Promise.all([
        collect(scheduler.watchRequest(client, requestId)),
        collect(scheduler.watchRequest(client, requestId)),
        ...documentIds.map((id) => collect(scheduler.watch(client, id, { requestId }))),
      ]),
    );
    expect(requests?.at(-1)?.status).toBe('completed');
    for (const statuses of documents) expect(statuses.at(-1)?.status).toBe('completed');
    // Not one document poll, and one request poll a second, not one per watcher.
    expect(new Set(log.ids)).toEqual(new Set([requestId]));
    expect(log.ids.length).toBeLessThanOrEqual(10);
    expect(log.maxInFlight).toBe(1);
  });

  it('joins documents that were polling on their own to the request poll its watcher started', async () => {
    const { requestId, documentIds } = submit([6_000, 6_000]);
    const [first, second] = documentIds as [string, string];
    const { clock, client, log, run, scheduler } = setup();
    const documentWatch = collect(scheduler.watch(client, first));
    await run(clock.sleep(1_500));
    const before = count(log.ids, first);
    expect(before).toBeGreaterThan(0);
    const requestWatch = collect(scheduler.watchRequest(client, requestId));
    const secondWatch = collect(scheduler.watch(client, second));
    const [mine, request, other] = await run(
      Promise.all([documentWatch, requestWatch, secondWatch]),
    );
    expect([mine.at(-1)?.status, other.at(-1)?.status]).toEqual(['completed', 'completed']);
    expect(request.at(-1)?.status).toBe('completed');
    // The first document polls on its own once more at most (the answer that names the request).
    expect(count(log.ids, first)).toBeLessThanOrEqual(before + 1);
    expect(count(log.ids, second)).toBeLessThanOrEqual(1);
  });

  it('answers a document that joins a slow-paced request poll at once, not at its next round', async () => {
    const { requestId, documentIds } = submit([60_000]);
    const { clock, client, log, run } = setup();
    const scheduler = createPollScheduler({ clock, policy: fixedInterval(20_000) });
    const stop = scheduler.subscribeRequest(client, requestId, {
      status: () => {},
      end: () => {},
      error: () => {},
    });
    await run(clock.sleep(5_000));
    const seen: string[] = [];
    const stopDocument = scheduler.subscribe(
      client,
      documentIds[0] as string,
      { status: (status) => seen.push(status.status), end: () => {}, error: () => {} },
      { requestId },
    );
    await run(clock.sleep(100));
    expect(seen).toEqual(['processing']);
    expect(new Set(log.ids)).toEqual(new Set([requestId]));
    stop();
    stopDocument();
  });

  it('gives a late watcher the latest status at once, without a poll of its own', async () => {
    const { requestId } = submit([10_000]);
    const { clock, client, log, run, scheduler } = setup();
    const seen: RequestStatus[] = [];
    const stop = scheduler.subscribeRequest(client, requestId, {
      status: (status) => seen.push(status),
      end: () => {},
      error: () => {},
    });
    await run(clock.sleep(2_500));
    const calls = log.ids.length;
    const late: RequestStatus[] = [];
    const stopLate = scheduler.subscribeRequest(client, requestId, {
      status: (status) => late.push(status),
      end: () => {},
      error: () => {},
    });
    expect(late).toEqual([seen.at(-1)]);
    expect(log.ids.length).toBe(calls);
    stop();
    stopLate();
    expect(scheduler.stats()).toMatchObject({ batches: 0, consumers: 0 });
  });

  it('stops polling once its last watcher leaves, and keeps polling for documents still watched', async () => {
    const { requestId, documentIds } = submit([20_000, 20_000]);
    const { clock, client, log, run, scheduler } = setup();
    const stop = scheduler.subscribeRequest(client, requestId, {
      status: () => {},
      end: () => {},
      error: () => {},
    });
    await run(clock.sleep(2_500));
    stop();
    const calls = log.ids.length;
    await run(clock.sleep(5_000));
    expect(log.ids.length).toBe(calls);
    expect(scheduler.stats().batches).toBe(0);

    const documents = documentIds.map((id) => collect(scheduler.watch(client, id, { requestId })));
    const stopAgain = scheduler.subscribeRequest(client, requestId, {
      status: () => {},
      end: () => {},
      error: () => {},
    });
    await run(clock.sleep(2_500));
    stopAgain();
    const finals = await run(Promise.all(documents));
    for (const statuses of finals) expect(statuses.at(-1)?.status).toBe('completed');
  });

  it('works with batchByRequest: false, where the documents keep polls of their own', async () => {
    const { requestId, documentIds } = submit([3_000, 5_000]);
    const { clock, client, log, run } = setup();
    const scheduler = createPollScheduler({
      clock,
      policy: fixedInterval(1_000),
      batchByRequest: false,
    });
    const [request, ...documents] = await run(
      Promise.all([
        collect(scheduler.watchRequest(client, requestId)),
        ...documentIds.map((id) => collect(scheduler.watch(client, id, { requestId }))),
      ]),
    );
    expect(request.at(-1)?.status).toBe('completed');
    for (const statuses of documents) expect(statuses.at(-1)?.status).toBe('completed');
    for (const id of documentIds) expect(count(log.ids, id)).toBeGreaterThan(2);
  });

  it('ends with a typed NOT_FOUND after the grace period for a request that does not exist', async () => {
    const { clock, client, run } = setup();
    const scheduler = createPollScheduler({
      clock,
      policy: fixedInterval(1_000),
      notFoundGraceMs: 3_000,
    });
    const unknown = '00000000-0000-4000-8000-00000000beef';
    const failure = await run(
      collect(scheduler.watchRequest(client, unknown)).catch((error: unknown) => error),
    );
    expect(failure).toMatchObject({ code: 'NOT_FOUND' });
    expect(clock.now()).toBeGreaterThanOrEqual(3_000);
    expect(scheduler.stats()).toMatchObject({ batches: 0, consumers: 0 });
  });

  it('never shares a request poll between keys: another key gets its own NOT_FOUND, the owner the statuses', async () => {
    const { requestId } = submit([3_000]);
    const { clock, owner, other, run } = twoTenantSetup(harness);
    const scheduler = createPollScheduler({
      clock,
      policy: fixedInterval(1_000),
      notFoundGraceMs: 0,
    });
    const [mine, theirs] = await run(
      Promise.all([
        collect(scheduler.watchRequest(owner.client, requestId)),
        collect(scheduler.watchRequest(other.client, requestId)).catch(
          (error: { code?: string }) => error.code,
        ),
      ]),
    );
    expect((mine as RequestStatus[]).at(-1)?.status).toBe('completed');
    expect(theirs).toBe('NOT_FOUND');
    expect(count(other.log.ids, requestId)).toBe(1);
  });

  it('ends its watchers when the scheduler closes', async () => {
    const { requestId } = submit([30_000]);
    const { clock, client, run, scheduler } = setup();
    const watching = collect(scheduler.watchRequest(client, requestId));
    await run(clock.sleep(2_500));
    scheduler.close();
    const statuses = await run(watching);
    expect(statuses.at(-1)?.status).toBe('processing');
  });

  it('ends one watcher with a WatchTimeoutError at its own deadline, holding its last status', async () => {
    const { requestId } = submit([30_000]);
    const { client, run, scheduler } = setup();
    const patient = scheduler.watchRequest(client, requestId);
    const hasty = scheduler.watchRequest(client, requestId, { timeoutMs: 3_000 });
    const [finals, error] = await run(
      Promise.all([collect(patient), collect(hasty).catch((failure: unknown) => failure)]),
    );
    expect(isWatchTimeoutError(error)).toBe(true);
    expect((error as { lastStatus?: RequestStatus }).lastStatus?.request_id).toBe(requestId);
    expect(finals.at(-1)?.status).toBe('completed');
  });

  it('detaches a listener that throws and tells it through its error, without stopping the others', async () => {
    const { requestId } = submit([3_000]);
    const { client, run, scheduler } = setup();
    const errors: unknown[] = [];
    scheduler.subscribeRequest(client, requestId, {
      status: () => {
        throw new Error('listener bug');
      },
      end: () => {},
      error: (error) => errors.push(error),
    });
    const statuses = await run(collect(scheduler.watchRequest(client, requestId)));
    expect(statuses.at(-1)?.status).toBe('completed');
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('listener bug');
  });

  it('refuses a bad id, a client that cannot read requests, and a closed scheduler, with typed errors', () => {
    const { client, scheduler } = setup();
    const noop = { status: () => {}, end: () => {}, error: () => {} };
    expect(() => scheduler.subscribeRequest(client, '../etc/passwd', noop)).toThrow(InvalidIdError);
    expect(() => scheduler.watchRequest(client, 'bad id')).toThrow(InvalidIdError);
    const documentsOnly = { getDocumentStatusWithMeta: client.getDocumentStatusWithMeta };
    const requestId = '00000000-0000-4000-8000-000000000001';
    expect(() => scheduler.subscribeRequest(documentsOnly as never, requestId, noop)).toThrow(
      /cannot read request status/,
    );
    scheduler.close();
    expect(() => scheduler.subscribeRequest(client, requestId, noop)).toThrow(/closed/);
  });

  it("counts its polls in the scheduler's rate budget", async () => {
    const { requestId } = submit([8_000]);
    const { clock, client, log, run } = setup();
    const scheduler = createPollScheduler({
      clock,
      policy: fixedInterval(100),
      ratePerSecond: 1,
      burst: 1,
    });
    await run(collect(scheduler.watchRequest(client, requestId)));
    // A 100 ms policy, held to one call a second by the budget.
    const gaps = log.startedAt.slice(1).map((at, i) => at - (log.startedAt[i] as number));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(999);
    expect(scheduler.stats().requests).toBe(log.ids.length);
  });
});
