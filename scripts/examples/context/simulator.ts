// What the reader of a simulator @example brings (see context/core.ts). Examples of internal
// modules use the parts the simulator is built from.
import type { Hono } from 'hono';
import type { ManualClock } from '../../src/create-manual-clock.ts';
import type { CreateRequestInput } from '../../src/create-request-input.ts';
import type { Simulator } from '../../src/create-simulator.ts';
import type { SimulatorEnv, StatusApiContext } from '../../src/create-status-api.ts';
import type { SimulatorAccount } from '../../src/default-accounts.ts';
import type { DocumentResults, DocumentStatusPayload } from '../../src/document-status-payload.ts';
import type { FaultQueue } from '../../src/fault-queue.ts';
import type { RequestStats } from '../../src/request-stats.ts';
import type { RequestStatusPayload } from '../../src/request-status-payload.ts';
import type { SeededRandom } from '../../src/seeded-random.ts';
import type { DocumentRecord, RequestRecord } from '../../src/simulation-records.ts';
import type { SimulationStore } from '../../src/simulation-store.ts';

export declare const simulator: Simulator;
export declare const app: Hono<SimulatorEnv>;
export declare const context: StatusApiContext;
export declare const apiBaseUrl: string;
export declare const headers: HeadersInit;
export declare const apiKey: string;
export declare const id: string;
export declare const documentId: string;
export declare const requestId: string;
export declare const userUid: string;
export declare const myAccount: SimulatorAccount;
export declare const input: CreateRequestInput;
export declare const clock: ManualClock;
export declare const nowMs: number;
export declare const store: SimulationStore;
export declare const faults: FaultQueue;
export declare const stats: RequestStats;
export declare const random: SeededRandom;
export declare const record: DocumentRecord;
export declare const found: { request: RequestRecord; documents: DocumentRecord[] };
export declare const results: DocumentResults;
/** An incoming request, a response, and JSON bodies already parsed. */
export declare const request: Request;
export declare const res: Response;
export declare const json: unknown;
export declare const body: Record<string, unknown>;
export declare const payload: DocumentStatusPayload;
export declare const requestPayload: RequestStatusPayload;
/** The reader's own code. */
export declare function runClientAgainst(apiBaseUrl: string): Promise<void>;
/** The simulator's own parts, as create-simulator.ts wires them. */
export declare const parts: Pick<
  StatusApiContext,
  'options' | 'faults' | 'stats' | 'waitForRelease'
>;
