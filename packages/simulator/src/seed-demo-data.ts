import { documentedExampleRecords } from './documented-example.ts';
import type { SimulationStore } from './simulation-store.ts';

/**
 * The id of the demo request seeded by `demo: true`: four documents that are pending or
 * processing when the simulator starts and finish (one of them failing) within one simulated
 * minute.
 *
 * @example
 * ```ts
 * await fetch(`${apiBaseUrl}/request-status/${DEMO_REQUEST_ID}`, { headers });
 * ```
 */
export const DEMO_REQUEST_ID = '7f3e2b1a-5c4d-4e6f-8a9b-0c1d2e3f4a5b';

/**
 * The ids of the demo request's documents, in order: a 1-page purchase order (processing at
 * once, done after 22 s), a 2-page report (done after 40.5 s), a 6-page scan that fails after
 * 32 s, and a 3-page invoice (done after 58.5 s). The completed ones take what the timing model
 * expects for their pages, so a poller calibrated on it notices them at once.
 *
 * @example
 * ```ts
 * const [purchaseOrder, report, failingScan, invoice] = DEMO_DOCUMENT_IDS;
 * ```
 */
export const DEMO_DOCUMENT_IDS: readonly [string, string, string, string] = Object.freeze([
  'a1b2c3d4-0001-4a00-8b00-000000000001',
  'a1b2c3d4-0002-4a00-8b00-000000000002',
  'a1b2c3d4-0003-4a00-8b00-000000000003',
  'a1b2c3d4-0004-4a00-8b00-000000000004',
]) as readonly [string, string, string, string];

/**
 * Seeds the demo data into `store` for the account of `apiKey`: the documented example and the
 * demo request, submitted at simulated time `nowMs`. Durations are explicit (the model's expected
 * values, without jitter), so a demo reads the same whatever the seed.
 *
 * @example
 * ```ts
 * seedDemoData(store, DEMO_API_KEY, clock.now());
 * ```
 */
export function seedDemoData(store: SimulationStore, apiKey: string, nowMs: number): void {
  const account = store.accountOf(apiKey);
  if (account === undefined) throw new TypeError('seedDemoData: unknown apiKey');
  const example = documentedExampleRecords(account.userUid);
  store.insert(example.request, example.documents);
  const [purchaseOrder, report, scan, invoice] = DEMO_DOCUMENT_IDS;
  store.createRequest(
    {
      apiKey,
      requestId: DEMO_REQUEST_ID,
      documents: [
        {
          documentId: purchaseOrder,
          fileName: 'Purchase_Order_7781.pdf',
          totalPages: 1,
          pendingMs: 0,
          processingMs: 22_000,
        },
        {
          documentId: report,
          fileName: 'Quarterly_Report_Q3.pdf',
          totalPages: 2,
          pendingMs: 1_500,
          processingMs: 39_000,
        },
        {
          documentId: scan,
          fileName: 'Scanned_Contract.pdf',
          fileType: 'application/pdf',
          totalPages: 6,
          fileSizeBytes: 2_841_220,
          outcome: 'failed',
          pendingMs: 2_000,
          processingMs: 30_000,
          errorMessage: 'Extraction failed: the scan is unreadable',
        },
        {
          documentId: invoice,
          fileName: 'Invoice_20251015.pdf',
          totalPages: 3,
          pendingMs: 2_500,
          processingMs: 56_000,
        },
      ],
    },
    nowMs,
  );
}
