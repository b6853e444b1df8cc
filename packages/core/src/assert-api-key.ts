import { InvalidOptionError } from './invalid-option-error.ts';

/**
 * The longest API key accepted. Neurolinker keys are `nl_` + 32 characters; anything much longer
 * is a pasted file or a wrong variable.
 *
 * @example
 * ```ts
 * const fits = apiKey.length <= MAX_API_KEY_LENGTH; // assertApiKey refuses longer keys
 * ```
 */
export const MAX_API_KEY_LENGTH = 256;

const KEY_SHAPE = '(keys look like nl_ + 32 characters)';

/**
 * The one rule for an API key: a non-empty string of visible ASCII, with no whitespace, at most
 * {@link MAX_API_KEY_LENGTH} characters. A key with whitespace or control characters would break
 * (or smuggle a second header into) `Authorization`; a trailing newline from `$(cat key.txt)` is
 * the usual culprit. Every refusal of a key says the same thing, so no message can reveal it.
 *
 * @throws {InvalidOptionError} naming `option` (default `apiKey`), never containing the key.
 * @example
 * ```ts
 * const apiKey = assertApiKey(process.env.NEUROLINKER_API_KEY, 'NEUROLINKER_API_KEY');
 * ```
 */
export function assertApiKey(value: unknown, option = 'apiKey'): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidOptionError(option, `must be a non-empty string ${KEY_SHAPE}`);
  }
  if (value.length > MAX_API_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(value)) {
    throw new InvalidOptionError(
      option,
      `must contain only visible ASCII characters, with no whitespace, at most ${MAX_API_KEY_LENGTH} of them ${KEY_SHAPE}`,
    );
  }
  return value;
}
