import type { CliOutput } from './cli-io.ts';

/** Shorter "secrets" would redact ordinary words; real keys are far longer. */
const MIN_SECRET_LENGTH = 8;

/**
 * Wraps an output so that no secret is ever written through it: each occurrence becomes
 * `[REDACTED]`. A last line of defence on top of core's own redaction, covering our messages too.
 *
 * @example
 * ```ts
 * const stderr = redactingOutput(process.stderr, [apiKey]);
 * stderr.write(`bad key ${apiKey}\n`); // "bad key [REDACTED]"
 * ```
 */
export function redactingOutput(output: CliOutput, secrets: readonly string[]): CliOutput {
  const active = secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH);
  if (active.length === 0) return output;
  return {
    write: (text: string) =>
      output.write(active.reduce((t, s) => t.replaceAll(s, '[REDACTED]'), text)),
    get isTTY() {
      return output.isTTY;
    },
    get columns() {
      return output.columns;
    },
    get rows() {
      return output.rows;
    },
  };
}
