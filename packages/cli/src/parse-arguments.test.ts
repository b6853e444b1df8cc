import { describe, expect, it } from 'vitest';
import { parseArguments } from './parse-arguments.ts';

const specs = [
  { name: 'timeout', takesValue: true },
  { name: 'json', takesValue: false },
  { name: 'help', takesValue: false, short: 'h' },
];

describe('parseArguments', () => {
  it('reads positionals, --flag value, --flag=value, switches and short aliases in any order', () => {
    const parsed = parseArguments(['wait', '--timeout', '10m', 'a', '--json', 'b', '-h'], specs);
    expect(parsed.positionals).toEqual(['wait', 'a', 'b']);
    expect(Object.fromEntries(parsed.flags)).toEqual({ timeout: '10m', json: true, help: true });
    expect(parseArguments(['--timeout=5s'], specs).flags.get('timeout')).toBe('5s');
  });

  it('treats everything after -- as positionals', () => {
    expect(parseArguments(['x', '--', '--json', '-h'], specs).positionals).toEqual([
      'x',
      '--json',
      '-h',
    ]);
  });

  it.each([
    [['--bogus'], 'unknown flag --bogus'],
    [['-x'], 'unknown flag -x'],
    [['--json', '--json'], '--json was given twice'],
    [['--json=yes'], '--json takes no value'],
    [['--timeout'], '--timeout needs a value'],
    [['--timeout', '--json'], '--timeout needs a value'],
    [['--timeout='], '--timeout needs a value'],
  ])('rejects %j: %s', (argv, message) => {
    expect(() => parseArguments(argv, specs)).toThrow(message);
  });

  it('escapes control characters of an unknown flag in its message', () => {
    expect(() => parseArguments(['--a\u001b[2J'], specs)).toThrow('unknown flag --a\\u001b[2J');
  });
});
