export { fromBase64Url, toBase64Url } from './base64url.ts';
export { cacheKey, createTenantHasher, type StatusKind } from './cache-key.ts';
export { type Coalescer, createCoalescer } from './coalescer.ts';
export { importHmacKey, MIN_SECRET_LENGTH } from './hmac-key.ts';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.ts';
export type { StatusStore, StoredStatus } from './status-store.ts';
export {
  type MintStatusTokenOptions,
  mintStatusToken,
  type StatusTokenClaims,
  StatusTokenError,
  type StatusTokenProblem,
  verifyStatusToken,
} from './status-token.ts';
