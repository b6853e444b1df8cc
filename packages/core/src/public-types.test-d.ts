import { describe, expectTypeOf, it } from 'vitest';
import {
  createNeurolinkerClient,
  type DocumentState,
  type DocumentStatus,
  isNeurolinkerError,
  type NeurolinkerError,
  type NeurolinkerErrorCode,
  parseDocumentStatus,
  parseRequestStatus,
  RateLimitError,
  type RequestStatus,
} from './index.ts';

describe('public types', () => {
  it('types getDocumentStatus and getRequestStatus from the schemas', () => {
    const client = createNeurolinkerClient({ apiKey: 'nl_x' });
    expectTypeOf(client.getDocumentStatus('id')).resolves.toEqualTypeOf<DocumentStatus>();
    expectTypeOf(client.getRequestStatus('id')).resolves.toEqualTypeOf<RequestStatus>();
  });

  it('exposes user_uid as a string and completed_at as string | null', () => {
    expectTypeOf<DocumentStatus['user_uid']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<DocumentStatus['completed_at']>().toEqualTypeOf<string | null>();
    expectTypeOf<DocumentStatus['started_at']>().toEqualTypeOf<string | null>();
  });

  it('types the known results keys and keeps the rest open', () => {
    expectTypeOf<DocumentStatus['results']['storage_path']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<DocumentStatus['results']['cropped_images']>().toEqualTypeOf<
      string[] | undefined
    >();
    expectTypeOf<DocumentStatus['results']['anything_else']>().toEqualTypeOf<unknown>();
  });

  it('offers the documented states while accepting unknown ones', () => {
    expectTypeOf<'completed'>().toExtend<DocumentState>();
    expectTypeOf<'queued'>().toExtend<DocumentState>();
    expectTypeOf<DocumentStatus['status']>().toEqualTypeOf<DocumentState>();
  });

  it('parses unknown input into the same types', () => {
    expectTypeOf(parseDocumentStatus).parameter(0).toBeUnknown();
    expectTypeOf(parseDocumentStatus(null)).toEqualTypeOf<DocumentStatus>();
    expectTypeOf(parseRequestStatus(null)).toEqualTypeOf<RequestStatus>();
  });

  it('narrows errors by guard and by code', () => {
    const error: unknown = new RateLimitError('x', {});
    if (isNeurolinkerError(error)) {
      expectTypeOf(error).toEqualTypeOf<NeurolinkerError>();
      expectTypeOf(error.code).toEqualTypeOf<NeurolinkerErrorCode>();
      expectTypeOf(error.status).toEqualTypeOf<number | undefined>();
    }
  });

  it('rejects unknown options at compile time', () => {
    // @ts-expect-error `timeout` is not an option; it is `timeoutMs`.
    createNeurolinkerClient({ apiKey: 'nl_x', timeout: 5 });
  });
});
