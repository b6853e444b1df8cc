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
 * A small, strict argument parser: `--flag value`, `--flag=value`, `-h`, and `--` to end flags.
 * Strict so that typos fail loudly (exit 2) instead of being ignored.
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
  const byShort = new Map(specs.flatMap((spec) => (spec.short ? [[spec.short, spec]] : [])));
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--') {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const written = equals === -1 ? arg : arg.slice(0, equals);
    const spec = written.startsWith('--')
      ? byName.get(written.slice(2))
      : written.length === 2
        ? byShort.get(written.slice(1))
        : undefined;
    if (spec === undefined) throw new UsageError(`unknown flag ${quoteFlag(written)}`);
    const flag = `--${spec.name}`;
    if (flags.has(spec.name)) throw new UsageError(`${flag} was given twice`);
    if (!spec.takesValue) {
      if (equals !== -1) throw new UsageError(`${flag} takes no value`);
      flags.set(spec.name, true);
      continue;
    }
    let value: string | undefined;
    if (equals !== -1) value = arg.slice(equals + 1);
    else {
      value = argv[index + 1];
      if (value?.startsWith('--')) value = undefined;
      else index++;
    }
    if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
    flags.set(spec.name, value);
  }
  return { positionals, flags };
}

/** Control characters from a pasted argument must not reach the terminal. */
function quoteFlag(flag: string): string {
  return JSON.stringify(flag.length > 40 ? `${flag.slice(0, 40)}…` : flag).slice(1, -1);
}
