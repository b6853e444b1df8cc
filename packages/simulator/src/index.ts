// The public API of @neurostatus/simulator, by name. Runtime-agnostic: Web APIs only.
export type { Sleep } from './abortable-sleep.ts';
export {
  createManualClock,
  MANUAL_CLOCK_START,
  type ManualClock,
  type SimulatorClock,
} from './create-manual-clock.ts';
export type {
  CreatedRequest,
  CreateRequestInput,
  SimulatedDocumentInput,
} from './create-request-input.ts';
export { createSimulator, type Simulator } from './create-simulator.ts';
export {
  DEFAULT_ACCOUNTS,
  DEMO_API_KEY,
  DEMO_USER_UID,
  SECOND_API_KEY,
  SECOND_USER_UID,
  type SimulatorAccount,
} from './default-accounts.ts';
export type { DocumentResults, DocumentStatusPayload } from './document-status-payload.ts';
export { DOCUMENTED_EXAMPLE } from './documented-example.ts';
export type { SimulatorStats } from './request-stats.ts';
export {
  aggregateRequestStatus,
  type RequestDocumentEntry,
  type RequestStatusPayload,
} from './request-status-payload.ts';
export { DEMO_DOCUMENT_IDS, DEMO_REQUEST_ID } from './seed-demo-data.ts';
export type {
  DocumentOutcome,
  DocumentState,
  RequestState,
} from './simulation-records.ts';
export type {
  DriftKind,
  FaultBehaviour,
  FaultRoute,
  SimulatorFault,
} from './simulator-fault.ts';
export {
  DEFAULT_SIMULATOR_OPTIONS,
  type DropConnection,
  type ResolvedSimulatorOptions,
  type SimulatorOptions,
} from './simulator-options.ts';
export {
  type DocumentTimeline,
  expectedPendingMs,
  expectedProcessingMs,
  TIMING_MODEL,
  type TimingInput,
} from './timing-model.ts';
