// `@neurostatus/core/option-rules`: the option rules alone, without the client (no ky, no valibot),
// for code that checks its input before it loads anything heavy, such as the CLI's argument parser
// (`neurostatus --help` loads no network code). The same functions are exported from the main entry.
export { assertApiKey, MAX_API_KEY_LENGTH } from './assert-api-key.ts';
export { assertBaseUrl } from './assert-base-url.ts';
export { assertDuration, type DurationRule, MAX_DURATION_MS } from './assert-duration.ts';
export { InvalidOptionError } from './invalid-option-error.ts';
