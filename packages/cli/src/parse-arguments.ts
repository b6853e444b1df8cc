// biome-ignore lint/correctness/noNodejsModules: the CLI runs on Node only (`engines`, `bin`); `parseArgs` is Node's own argument reader, which Bun and Deno provide too
import { parseArgs } from 'node:util';
import { UsageError } from './usage-error.ts';

/**
 * How one flag is spelled and whether it takes a value.
 *
 * @example
 * ```ts
 * const spec: FlagSpec = { name: 'timeout', takesValue: true };
 * ```
 */
export interface FlagSpec {
  /** Long name without the dashes: `timeout` for `--timeout`. */
  readonly name: string;
  /** `--timeout 10m` / `--timeout=10m`, or a boolean switch like `--json`. */
  readonly takesValue: boolean;
  /** One-letter alias: `h` for `-h`. */
  readonly short?: string;
}

/**
 * What {@link parseArguments} found: positionals in order, and each flag given (at most once).
 *
 * @example
 * ```ts
 * const { positionals, flags } = parseArguments(['watch', 'id-1', '--json'], flagSpecs);
 * flags.get('json'); // true
 * ```
 */
export interface ParsedArguments {
  readonly positionals: readonly string[];
  readonly flags: ReadonlyMap<string, string | true>;
}

/**
 * A strict argument parser on `node:util` `parseArgs`: `--flag value`, `--flag=value`, `-h`, and
 * `--` to end flags. Strict so that typos fail loudly (exit 2) instead of being ignored.
 *
 * `parseArgs` does the reading (in its non-strict mode, with `tokens`) and this function checks
 * each token: `parseArgs`'s own strict mode does not refuse a flag given twice (the last one wins
 * silently), and its errors span several lines without naming the flag in a field, where the CLI
 * promises one line per error (README, "Exit codes").
 *
 * @throws {UsageError} for an unknown flag, a flag given twice, a missing value, or a value given
 *   to a switch.
 * @example
 * ```ts
 * parseArguments(['wait', '--timeout=10m', 'doc-1'], [{ name: 'timeout', takesValue: true }]);
 * // { positionals: ['wait', 'doc-1'], flags: Map { 'timeout' => '10m' } }
 * ```
 */
export function parseArguments(
  argv: readonly string[],
  specs: readonly FlagSpec[],
): ParsedArguments {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      specs.map((spec) => [
        spec.name,
        {
          type: spec.takesValue ? 'string' : 'boolean',
          ...(spec.short ? { short: spec.short } : {}),
        },
      ]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = byName.get(token.name);
    if (spec === undefined) throw new UsageError(`unknown flag ${quoteFlag(token.rawName)}`);
    const flag = `--${spec.name}`;
    if (flags.has(spec.name)) throw new UsageError(`${flag} was given twice`);
    if (!spec.takesValue) {
      if (token.value !== undefined) throw new UsageError(`${flag} takes no value`);
      flags.set(spec.name, true);
      continue;
    }
    const { value } = token;
    // `--timeout --json` is a forgotten value, not a timeout of "--json".
    const forgotten = !token.inlineValue && value?.startsWith('--');
    if (value === undefined || value === '' || forgotten) {
      throw new UsageError(`${flag} needs a value`);
    }
    flags.set(spec.name, value);
  }
  return { positionals, flags };
}

/** Control characters from a pasted argument must not reach the terminal. */
function quoteFlag(flag: string): string {
  return JSON.stringify(flag.length > 40 ? `${flag.slice(0, 40)}…` : flag).slice(1, -1);
}
