// What the reader of a core @example brings: placeholders the examples use without declaring
// them. check-examples.mjs imports those an example uses; anything else it must declare.
import type { DocumentStatus, NeurolinkerClient, RequestStatus } from '@neurostatus/core';
import type { FailedResponse } from '../../src/error-from-response.ts';

export declare const client: NeurolinkerClient;
export declare const apiKey: string;
export declare const id: string;
export declare const requestId: string;
export declare const traceId: string;
export declare const status: DocumentStatus;
export declare const request: RequestStatus;
export declare const controller: AbortController;
export declare const response: Response;
export declare const failed: FailedResponse;
/** A parsed JSON body. */
export declare const json: unknown;
/** A caught error: examples narrow it with the guards and classes they document. */
export declare const error: unknown;
/** A queue message, a file (Bun.file, a fetch body) and a logger the reader has. */
export declare const message: { body: string };
export declare const file: { json(): Promise<unknown> };
export declare const log: { warn(fields: object): void };
export declare const sleep: (ms: number) => Promise<void>;
/** The reader's own reactions. */
export declare function askForANewKey(): void;
export declare function showForbidden(): void;
export declare function notifyBilling(): void;
export declare function badRequest(reason: string): Response;
