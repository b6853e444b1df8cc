/**
 * An option of `createNeurolinkerClient` (or of one call) that makes no sense. A `TypeError`, so
 * existing `instanceof TypeError` checks still hold, with the option's name in `option` so callers
 * (a CLI that read the key from an environment variable, say) can say where to look without
 * parsing the message. The message names the option, never its value.
 *
 * @example
 * ```ts
 * if (error instanceof InvalidOptionError && error.option === 'apiKey') console.error('check NEUROLINKER_API_KEY');
 * ```
 */
export class InvalidOptionError extends TypeError {
  override readonly name = 'InvalidOptionError';
  /** The option at fault, as written in the options object: `apiKey`, `retry.limit`, ... */
  readonly option: string;

  constructor(option: string, message: string) {
    super(message);
    this.option = option;
  }
}
