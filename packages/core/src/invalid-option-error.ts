/**
 * An option of `createNeurolinkerClient` (or of one call, or of a package built on core) that
 * makes no sense. A `TypeError`, so existing `instanceof TypeError` checks still hold, with the
 * option's name in `option` and what is wrong with it in `problem`, so callers (a CLI that read the
 * key from an environment variable, a proxy reading its configuration) can say where to look in
 * their own words without parsing the message. Neither names the value: it may be a secret.
 *
 * @example
 * ```ts
 * if (error instanceof InvalidOptionError && error.option === 'apiKey') {
 *   console.error(`NEUROLINKER_API_KEY ${error.problem}`);
 * }
 * ```
 */
export class InvalidOptionError extends TypeError {
  override readonly name = 'InvalidOptionError';
  readonly code = 'INVALID_OPTION';
  /** The option at fault, as written in the options object: `apiKey`, `retry.limit`, ... */
  readonly option: string;
  /** What is wrong, without the option's name: `must not contain credentials`. */
  readonly problem: string;

  /** The message is `` `option` problem. ``. */
  constructor(option: string, problem: string) {
    super(`\`${option}\` ${problem}.`);
    this.option = option;
    this.problem = problem;
  }
}
