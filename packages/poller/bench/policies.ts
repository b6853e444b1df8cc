// Benchmark: upstream requests per document and detection lag for four polling policies, on
// virtual time against the simulator's page-based timing model. Run: pnpm --filter @neurostatus/poller bench
// (or `pnpm bench` at the root). Every policy sees the same 1,000 documents (same seed): pages
// drawn from a long-tailed distribution (1 + exponential with mean 6, at most 60), 2% failing
// (halfway through their processing, the simulator's model), submitted at random over the first
// 10 minutes. Lag = when the caller saw the terminal status minus the `completed_at` the
// simulator reports. A last run gives the default's failure lag over 20% failing documents: the
// 2% of the main table are only 16, too few for a steady median.
import {
  adaptiveInterval,
  createCompletionEstimator,
  exponentialInterval,
  fixedInterval,
  type IntervalPolicy,
  waitForDocument,
} from '../src/index.ts';
import { DEMO_API_KEY, percentile, runVirtual, seededRandom, setUp } from './in-process.ts';

const DOCUMENTS = 1_000;
const SEED = 42;
const SUBMISSION_WINDOW_MS = 10 * 60_000;

/** How the benchmark draws document durations. */
interface Scenario {
  name: string;
  /** Processing time for a document, or undefined to let the simulator draw it from its model. */
  processingMs?: (totalPages: number, random: () => number) => number;
}

const SIMULATOR_MODEL: Scenario = { name: "the simulator's model (the poller's prior)" };
/** A standard normal draw (Box-Muller), for lognormal jitter. */
const normal = (random: () => number) =>
  Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const misSpecified = (factor: number): Scenario => ({
  name: `${factor}x the prior, lognormal jitter (sigma 0.3)`,
  processingMs: (totalPages, random) =>
    Math.round((5_000 + 17_000 * totalPages) * factor * Math.exp(0.3 * normal(random))),
});
/** A failing document fails halfway through its processing, as in the simulator's own model. */
const processingOf = (
  scenario: Scenario,
  totalPages: number,
  outcome: 'completed' | 'failed',
  random: () => number,
) => {
  const processingMs = scenario.processingMs?.(totalPages, random);
  if (processingMs === undefined || outcome === 'completed') return processingMs;
  return Math.round(processingMs / 2);
};

interface PolicyRun {
  name: string;
  policy: () => IntervalPolicy;
  maxIntervalMs: number;
  /** Whether watches share one completion estimator (ours learns; the others ignore it). */
  learns: boolean;
}

const POLICIES: PolicyRun[] = [
  {
    name: 'neurostatus adaptive (default)',
    policy: () => adaptiveInterval(),
    maxIntervalMs: 30_000,
    learns: true,
  },
  {
    // The default until 2026-12-01: 1.6 s all through the window, up to 30 s before it.
    name: 'neurostatus adaptive, before (1.6 s in the window, 30 s ceiling)',
    policy: () =>
      adaptiveInterval({ nearIntervalMs: 1_600, nearMinIntervalMs: 1_600, maxIntervalMs: 30_000 }),
    maxIntervalMs: 30_000,
    learns: true,
  },
  { name: 'fixed 1 s', policy: () => fixedInterval(1_000), maxIntervalMs: 30_000, learns: false },
  { name: 'fixed 5 s', policy: () => fixedInterval(5_000), maxIntervalMs: 30_000, learns: false },
  {
    name: 'AWS waiter (2 s to 120 s, jittered exponential)',
    policy: () => exponentialInterval({ minDelayMs: 2_000, maxDelayMs: 120_000 }),
    maxIntervalMs: 120_000,
    learns: false,
  },
];

async function run(
  { policy, maxIntervalMs, learns }: PolicyRun,
  scenario: Scenario,
  failingShare = 0.02,
) {
  const { simulator, clock, client, requestTimes, inFlight } = setUp(SEED);
  const random = seededRandom(SEED);
  const estimator = createCompletionEstimator();
  const plan = Array.from({ length: DOCUMENTS }, () => ({
    at: clock.now() + Math.floor(random() * SUBMISSION_WINDOW_MS),
    totalPages: Math.min(60, 1 + Math.floor(-Math.log(1 - random()) * 6)),
    outcome: random() < failingShare ? ('failed' as const) : ('completed' as const),
  }))
    .map((item) => ({
      ...item,
      processingMs: processingOf(scenario, item.totalPages, item.outcome, random),
    }))
    .sort((a, b) => a.at - b.at);

  const lags: { completed: number[]; failed: number[] } = { completed: [], failed: [] };
  const requestsPerDocument: number[] = [];
  let finished = 0;

  const watchOne = async (documentId: string) => {
    const status = await waitForDocument(client, documentId, {
      clock,
      random,
      policy: policy(),
      maxIntervalMs,
      ...(learns ? { estimator } : {}),
    });
    const lag = clock.now() - Date.parse(status.completed_at ?? '');
    (status.status === 'failed' ? lags.failed : lags.completed).push(lag);
    requestsPerDocument.push(simulator.stats().byId[documentId] ?? 0);
    finished++;
  };
  const submitter = (async () => {
    for (const item of plan) {
      if (item.at > clock.now()) await clock.sleep(item.at - clock.now());
      const { documentIds } = simulator.createRequest({
        apiKey: DEMO_API_KEY,
        documents: [
          {
            totalPages: item.totalPages,
            outcome: item.outcome,
            ...(item.processingMs === undefined ? {} : { processingMs: item.processingMs }),
          },
        ],
      });
      void watchOne(documentIds[0] as string).catch((error: unknown) => {
        console.error('watch failed', error);
        process.exit(1);
      });
    }
  })();
  await runVirtual(clock, inFlight, () => finished === DOCUMENTS);
  await submitter;
  const all = [...lags.completed, ...lags.failed].sort((a, b) => a - b);
  const sortedCompleted = [...lags.completed].sort((a, b) => a - b);
  const sortedFailed = [...lags.failed].sort((a, b) => a - b);
  return {
    requests: requestTimes.length,
    requestsPerDocument: requestTimes.length / DOCUMENTS,
    lagMedian: percentile(all, 50),
    lagP95: percentile(all, 95),
    completedMedian: percentile(sortedCompleted, 50),
    completedP95: percentile(sortedCompleted, 95),
    failedMedian: percentile(sortedFailed, 50),
    failedCount: sortedFailed.length,
  };
}

const started = Date.now();
const results: Array<{ name: string } & Awaited<ReturnType<typeof run>>> = [];
for (const entry of POLICIES)
  results.push({ name: entry.name, ...(await run(entry, SIMULATOR_MODEL)) });
const baseline = results.find((result) => result.name === 'fixed 1 s')!;
const seconds = (ms: number) => (ms / 1000).toFixed(2);
const header = [
  '| policy | requests/doc | vs fixed 1 s | lag median (s) | lag p95 (s) | completed: median / p95 (s) | failed (n): median (s) |',
  '|---|---:|---:|---:|---:|---:|---:|',
];
const row = (r: (typeof results)[number], base: (typeof results)[number]) =>
  `| ${r.name} | ${r.requestsPerDocument.toFixed(1)} | ${(r.requests / base.requests).toFixed(3)} | ${seconds(r.lagMedian)} | ${seconds(r.lagP95)} | ${seconds(r.completedMedian)} / ${seconds(r.completedP95)} | (${r.failedCount}) ${seconds(r.failedMedian)} |`;

console.log(`policies benchmark: ${DOCUMENTS} documents, seed ${SEED}, virtual time`);
console.log(`\ndurations: ${SIMULATOR_MODEL.name}`);
for (const line of header) console.log(line);
for (const r of results) console.log(row(r, baseline));
const ours = results[0]!;
// The failure lag over more failures: 20% failing, the same model otherwise.
const failures = await run(POLICIES[0]!, SIMULATOR_MODEL, 0.2);
console.log(
  `\n${POLICIES[0]!.name}, 20% failing: failed (n = ${failures.failedCount}) median lag ${seconds(failures.failedMedian)} s`,
);
const verdicts = [
  ['requests <= 1/3 of fixed 1 s', ours.requests <= baseline.requests / 3],
  ['median lag <= 1 s', ours.lagMedian <= 1_000],
  ['p95 lag <= 3 s', ours.lagP95 <= 3_000],
  ['failed median lag <= 2 s', ours.failedMedian <= 2_000],
  ['failed median lag <= 2 s, 20% failing', failures.failedMedian <= 2_000],
] as const;
for (const [label, ok] of verdicts) console.log(`${ok ? 'MET' : 'MISSED'}: ${label}`);

// The same comparison when real durations do not follow the prior: the estimator must adapt.
for (const scenario of [misSpecified(2), misSpecified(0.5)]) {
  const runs = [POLICIES[0]!, POLICIES[1]!, POLICIES[2]!];
  const rows = [];
  for (const entry of runs) rows.push({ name: entry.name, ...(await run(entry, scenario)) });
  console.log(`\ndurations: ${scenario.name}`);
  for (const line of header) console.log(line);
  for (const r of rows) console.log(row(r, rows[2]!));
}
console.log(`\n(${((Date.now() - started) / 1000).toFixed(0)} s real)`);
