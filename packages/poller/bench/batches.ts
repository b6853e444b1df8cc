// Benchmark: watching requests of many documents through the scheduler, batched by request
// (one request poll a round) against a loop per document (with today's policy, and with the
// policy before 2026-12-01) and a fixed 1 s loop per document, on virtual time against the simulator's timing model (in process). Measures upstream
// requests per document and the detection lag (when the watcher saw the terminal status minus the
// `completed_at` the simulator reports), completed and failed documents apart.
//
// Part 1: requests of 1, 10 and 50 documents (500 documents per size), pages 1 + exponential
// (mean 6, at most 60), 10% failing (at half their processing time, the simulator's model),
// requests submitted at random over 10 minutes, all watched by one process through one scheduler.
// Part 1b: the same with 10 similar documents a request (one page count drawn per request).
// Part 2: a cold start: one request of 20 one-page documents watched by a fresh process (nothing
// learned), 4 of them failing, durations 0.5x or 2x the prior with lognormal jitter; 25 such
// batches per case. Run: pnpm --filter @neurostatus/poller bench batches (or `pnpm bench`).
import {
  ADAPTIVE_INTERVAL_DEFAULTS,
  adaptiveInterval,
  createPollScheduler,
  fixedInterval,
  type PollSchedulerOptions,
  watchMany,
} from '../src/index.ts';
import { DEMO_API_KEY, percentile, runVirtual, seededRandom, setUp } from './in-process.ts';

const SEED = 42;

interface Variant {
  readonly name: string;
  readonly options: PollSchedulerOptions;
  /** Give watchMany the request id (a caller that submitted the request knows it). */
  readonly givesRequestId?: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'batched by request (default)', options: {} },
  { name: 'batched, request id given', options: {}, givesRequestId: true },
  { name: 'loop per document', options: { batchByRequest: false } },
  {
    // The scheduler and policy until 2026-12-01: no batching, 1.6 s in the window, 30 s ceiling.
    name: 'loop per document, policy before',
    options: {
      batchByRequest: false,
      policy: adaptiveInterval({
        nearIntervalMs: 1_600,
        nearMinIntervalMs: 1_600,
        maxIntervalMs: 30_000,
      }),
    },
  },
  {
    name: 'fixed 1 s per document',
    options: { batchByRequest: false, policy: fixedInterval(1_000) },
  },
];

interface PlannedDocument {
  totalPages: number;
  outcome: 'completed' | 'failed';
  processingMs?: number;
}
interface PlannedRequest {
  at: number;
  documents: PlannedDocument[];
}

interface Result {
  documents: number;
  requests: number;
  completed: number[];
  failed: number[];
  /** Summed over requests: submission to the `completed_at` of its last document, in ms. */
  watchedMs: number;
}

/** Submits the plan on virtual time and watches each request with `watchMany` through one scheduler per process. */
async function run(
  plan: (now: number, random: () => number) => PlannedRequest[],
  variant: Variant,
  processes: number,
  seed: number,
): Promise<Result> {
  const { simulator, clock, client, requestTimes, inFlight } = setUp(seed);
  const random = seededRandom(seed);
  const result: Result = { documents: 0, requests: 0, completed: [], failed: [], watchedMs: 0 };
  let open = 0;
  for (let round = 0; round < processes; round++) {
    // A fresh process each time: its own scheduler and so its own estimator (nothing learned).
    const scheduler = createPollScheduler({
      clock,
      random,
      ratePerSecond: 1_000,
      burst: 1_000,
      concurrency: 64,
      ...variant.options,
    });
    const requests = plan(clock.now(), random).sort((a, b) => a.at - b.at);
    open += requests.length;
    const submitter = (async () => {
      for (const request of requests) {
        if (request.at > clock.now()) await clock.sleep(request.at - clock.now());
        const { requestId, documentIds } = simulator.createRequest({
          apiKey: DEMO_API_KEY,
          documents: request.documents,
        });
        result.documents += documentIds.length;
        let lastEnd = clock.now();
        void (async () => {
          for await (const update of watchMany(client, documentIds, {
            scheduler,
            ...(variant.givesRequestId ? { requestId } : {}),
          })) {
            const status = update.status;
            if (status === undefined) throw update.error;
            if (status.status !== 'completed' && status.status !== 'failed') continue;
            const lag = clock.now() - Date.parse(status.completed_at ?? '');
            (status.status === 'failed' ? result.failed : result.completed).push(lag);
            lastEnd = Math.max(lastEnd, Date.parse(status.completed_at ?? ''));
          }
          result.watchedMs += lastEnd - request.at;
          open--;
        })().catch((error: unknown) => {
          console.error('watch failed', error);
          process.exit(1);
        });
      }
    })();
    await runVirtual(clock, inFlight, () => open === 0);
    await submitter;
    scheduler.close();
  }
  result.requests = requestTimes.length;
  result.completed.sort((a, b) => a - b);
  result.failed.sort((a, b) => a - b);
  return result;
}

const pages = (random: () => number) => Math.min(60, 1 + Math.floor(-Math.log(1 - random()) * 6));
const normal = (random: () => number) =>
  Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** Part 1: requests of `size` documents, 500 documents in all, over 10 minutes. */
const bySize =
  (size: number) =>
  (now: number, random: () => number): PlannedRequest[] =>
    Array.from({ length: 500 / size }, () => ({
      at: now + Math.floor(random() * 10 * 60_000),
      documents: Array.from({ length: size }, () => ({
        totalPages: pages(random),
        outcome: random() < 0.1 ? ('failed' as const) : ('completed' as const),
      })),
    }));

/**
 * Part 1b: requests of `size` similar documents (one page count per request, as when a batch of
 * one kind of form is submitted), 500 documents in all, over 10 minutes.
 */
const similarBySize =
  (size: number) =>
  (now: number, random: () => number): PlannedRequest[] =>
    Array.from({ length: 500 / size }, () => {
      const totalPages = pages(random);
      return {
        at: now + Math.floor(random() * 10 * 60_000),
        documents: Array.from({ length: size }, () => ({
          totalPages,
          outcome: random() < 0.1 ? ('failed' as const) : ('completed' as const),
        })),
      };
    });

/** Part 2: one request of 20 one-page documents, 4 failing, durations `factor` x the prior. */
const coldBatch =
  (factor: number) =>
  (now: number, random: () => number): PlannedRequest[] => [
    {
      at: now,
      documents: Array.from({ length: 20 }, (_, i) => {
        const processingMs = Math.round(22_000 * factor * Math.exp(0.3 * normal(random)));
        const outcome = i % 5 === 4 ? ('failed' as const) : ('completed' as const);
        // A failing document fails halfway, as in the simulator's own model.
        return {
          totalPages: 1,
          outcome,
          processingMs: outcome === 'failed' ? Math.round(processingMs / 2) : processingMs,
        };
      }),
    },
  ];

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const header = [
  '| case | watcher | requests/doc | vs loop per document | completed: median / p95 lag (s) | failed (n): median / p95 lag (s) |',
  '|---|---|---:|---:|---:|---:|',
];
const row = (name: string, variant: string, r: Result, base: Result) =>
  `| ${name} | ${variant} | ${(r.requests / r.documents).toFixed(2)} | ${(r.requests / r.documents / (base.requests / base.documents)).toFixed(3)} | ${seconds(percentile(r.completed, 50))} / ${seconds(percentile(r.completed, 95))} | (${r.failed.length}) ${seconds(percentile(r.failed, 50))} / ${seconds(percentile(r.failed, 95))} |`;

/**
 * What the failure ceiling alone costs a batch: one request poll per ceiling for as long as the
 * request has an unfinished document, shared by its documents.
 */
const floorLine = (name: string, batched: Result, before: Result, size: number) => {
  const ceilingMs = ADAPTIVE_INTERVAL_DEFAULTS.maxIntervalMs;
  return `${name}: requests watched ${seconds(batched.watchedMs / (batched.documents / size))} s on average; one poll per ${seconds(ceilingMs)} s over that = ${(batched.watchedMs / ceilingMs / batched.documents).toFixed(2)} requests/doc; 1/3 of the policy before = ${(before.requests / before.documents / 3).toFixed(2)}`;
};

const started = Date.now();
const verdicts: Array<[string, boolean]> = [];
console.log(`batches benchmark: seed ${SEED}, virtual time, simulator timing model`);
console.log(`\npart 1: requests of 1, 10 and 50 documents (500 documents each, 10% failing)`);
for (const line of header) console.log(line);
const floors: string[] = [];
for (const size of [1, 10, 50]) {
  const results = [];
  for (const variant of VARIANTS) results.push(await run(bySize(size), variant, 1, SEED));
  const [batched, given, perDocument, before] = results as [Result, Result, Result, Result, Result];
  for (const [i, r] of results.entries())
    console.log(row(`${size} per request`, VARIANTS[i]!.name, r, perDocument));
  floors.push(floorLine(`${size} per request`, batched, before, size));
  verdicts.push([
    `${size} per request: failed median lag <= 2 s (batched)`,
    percentile(batched.failed, 50) <= 2_000,
  ]);
  if (size >= 10) {
    for (const [label, r] of [
      ['batched', batched],
      ['request id given', given],
    ] as const) {
      verdicts.push([
        `${size} per request, ${label}: requests/doc <= 1/3 of loop per document`,
        r.requests / r.documents <= perDocument.requests / perDocument.documents / 3,
      ]);
      verdicts.push([
        `${size} per request, ${label}: completed median and p95 lag no worse than loop per document`,
        percentile(r.completed, 50) <= percentile(perDocument.completed, 50) &&
          percentile(r.completed, 95) <= percentile(perDocument.completed, 95),
      ]);
      verdicts.push([
        `${size} per request, ${label}: requests/doc <= 1/3 of loop per document, policy before`,
        r.requests / r.documents <= before.requests / before.documents / 3,
      ]);
      verdicts.push([
        `${size} per request, ${label}: completed median / p95 and failed median lag no worse than loop per document, policy before`,
        percentile(r.completed, 50) <= percentile(before.completed, 50) &&
          percentile(r.completed, 95) <= percentile(before.completed, 95) &&
          percentile(r.failed, 50) <= percentile(before.failed, 50),
      ]);
    }
  }
}

console.log(
  `\npart 1b: requests of 10 similar documents (one page count per request; 500 documents, 10% failing)`,
);
for (const line of header) console.log(line);
{
  const results = [];
  for (const variant of VARIANTS) results.push(await run(similarBySize(10), variant, 1, SEED));
  const [batched, , perDocument, before] = results as [Result, Result, Result, Result, Result];
  for (const [i, r] of results.entries())
    console.log(row('10 similar per request', VARIANTS[i]!.name, r, perDocument));
  floors.push(floorLine('10 similar per request', batched, before, 10));
  verdicts.push([
    '10 similar per request, batched: requests/doc <= 1/3 of loop per document, policy before',
    batched.requests / batched.documents <= before.requests / before.documents / 3,
  ]);
  verdicts.push([
    '10 similar per request, batched: completed median / p95 and failed median lag no worse than loop per document, policy before',
    percentile(batched.completed, 50) <= percentile(before.completed, 50) &&
      percentile(batched.completed, 95) <= percentile(before.completed, 95) &&
      percentile(batched.failed, 50) <= percentile(before.failed, 50),
  ]);
}

console.log(
  `\npart 2: cold start, one request of 20 one-page documents (4 failing), 25 fresh processes`,
);
for (const line of header) console.log(line);
for (const factor of [0.5, 2]) {
  const results = [];
  for (const variant of VARIANTS) results.push(await run(coldBatch(factor), variant, 25, SEED));
  const [batched, given, perDocument] = results as [Result, Result, Result, Result, Result];
  for (const [i, r] of results.entries())
    console.log(row(`${factor}x the prior`, VARIANTS[i]!.name, r, perDocument));
  for (const [label, r] of [
    ['batched', batched],
    ['request id given', given],
  ] as const) {
    verdicts.push([
      `cold ${factor}x, ${label}: completed median <= 1.5 s, failed median <= 2 s, fewer requests than loop per document`,
      percentile(r.completed, 50) <= 1_500 &&
        percentile(r.failed, 50) <= 2_000 &&
        r.requests < perDocument.requests,
    ]);
  }
}
console.log('');
for (const line of floors) console.log(line);
console.log('');
for (const [label, ok] of verdicts) console.log(`${ok ? 'MET' : 'MISSED'}: ${label}`);
console.log(`\n(${((Date.now() - started) / 1000).toFixed(0)} s real)`);
