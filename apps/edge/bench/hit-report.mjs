// The markdown of the cache-hit comparison (hit-phase.mjs): one table, ratios to nginx and to bare
// Hono on the same runtime, and the goal of issue 12 in words.

/** Issue 12: the proxy serves a hit at this share of bare Hono on the same runtime, or more. */
export const HIT_GOAL = 0.85;

/** Issue 10: the proxy over Redis serves hits at this share of the memory store, or more. */
export const FLEET_GOAL = 0.9;

/**
 * Renders the hit phase's rows.
 *
 * @example
 * ```js
 * lines.push(...renderHits(report.hits));
 * ```
 */
export function renderHits(hits) {
  const { rows, generator, seconds, rounds, warmupSeconds, connections, bareHeaders } = hits;
  const nginx = rows.find((row) => row.role === 'nginx');
  const honoOf = (runtime) => rows.find((row) => row.runtime === runtime && row.role === 'hono');
  const lines = [
    '### Cache hits: the proxy against nginx and bare servers sending the same bytes',
    '',
    `Load generator: **${generator}**, ${connections} connections over one thread, pinned to core 1 ` +
      '(`taskset -c 1`); every server pinned to core 0 (`taskset -c 0`). Each target answers ' +
      'the completed document; the bare servers send the status, body and the ' +
      `${bareHeaders.length} headers captured from a real proxy hit at the start of the run ` +
      `(${bareHeaders.map(([name]) => `\`${name}\``).join(', ')}), plus what each server adds itself ` +
      `(\`date\`, \`content-length\`). Each target is warmed up ${warmupSeconds} s, then the targets ` +
      `take turns for ${rounds} rounds of ${seconds} s; the figure is each target's median round ` +
      '(all rounds in the last column). "Per CPU-second" divides req/s by the CPU share the server ' +
      'process got (from /proc): on a machine shared with other work, the share of a core each ' +
      'server gets varies, and requests per CPU-second compares what each costs.',
    '',
    '| target | req/s | vs nginx | vs bare Hono, same runtime | req per CPU-second of the server | vs bare Hono, per CPU-second | p50 / p99 (ms) | CPU: target / other | rounds (req/s) | errors / non-2xx |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  const perCpu = (row) =>
    row.median.cpu?.target > 0 ? row.median.rps / row.median.cpu.target : undefined;
  for (const row of rows) {
    const m = row.median;
    const hono = honoOf(row.runtime);
    const vsHono = hono === undefined || row.role === 'nginx' ? '' : fmt(m.rps / hono.median.rps);
    const vsNginx = nginx === undefined ? '' : fmt(m.rps / nginx.median.rps);
    const strong = row.role.startsWith('proxy');
    const cpuRatio =
      hono === undefined || row.role === 'nginx' ? '' : fmt(perCpu(row) / perCpu(hono));
    lines.push(
      `| ${row.name} | ${int(m.rps)} | ${vsNginx} | ${strong ? `**${vsHono}**` : vsHono} | ` +
        `${int(perCpu(row))} | ${strong ? `**${cpuRatio}**` : cpuRatio} | ` +
        `${fmt(m.p50)} / ${fmt(m.p99)} | ${pct(m.cpu?.target)} / ${pct(m.cpu?.other)} | ` +
        `${row.runs.map((run) => int(run.rps)).join(', ')} | ` +
        `${sum(row.runs, 'errors')} / ${sum(row.runs, 'non2xx')} |`,
    );
  }
  lines.push('');
  for (const row of rows.filter((r) => r.role === 'proxy')) {
    const hono = honoOf(row.runtime);
    if (hono === undefined) continue;
    const ratio = row.median.rps / hono.median.rps;
    const cpuRatio = perCpu(row) / perCpu(hono);
    const judge = (value) =>
      row.runtime === 'deno' ? 'reported' : value >= HIT_GOAL ? 'met' : 'missed';
    lines.push(
      `- ${row.name} >= ${HIT_GOAL}x bare Hono on the same runtime: req/s **${judge(ratio)}** ` +
        `(${fmt(ratio)}x); per CPU-second of the server **${judge(cpuRatio)}** (${fmt(cpuRatio)}x).`,
    );
  }
  for (const row of rows.filter((r) => r.role === 'proxy-logs')) {
    const plain = rows.find((r) => r.runtime === row.runtime && r.role === 'proxy');
    if (plain === undefined) continue;
    lines.push(
      `- ${row.name}: ${fmt(row.median.rps / plain.median.rps)}x of the proxy with logs off ` +
        '(the log lines go to stdout, here /dev/null, batched).',
    );
  }
  for (const row of rows.filter((r) => r.role === 'proxy-fleet')) {
    const plain = rows.find((r) => r.runtime === row.runtime && r.role === 'proxy');
    if (plain === undefined) continue;
    const ratio = row.median.rps / plain.median.rps;
    const cpuRatio = perCpu(row) / perCpu(plain);
    const judge = (value) => (value >= FLEET_GOAL ? 'met' : 'missed');
    lines.push(
      `- ${row.name} >= ${FLEET_GOAL}x the proxy on the memory store (issue 10): req/s ` +
        `**${judge(ratio)}** (${fmt(ratio)}x); per CPU-second **${judge(cpuRatio)}** (${fmt(cpuRatio)}x).`,
    );
  }
  lines.push('');
  return lines;
}

const fmt = (value) => (value === undefined || Number.isNaN(value) ? '?' : value.toFixed(2));
const int = (value) => (value === undefined ? '?' : Math.round(value).toLocaleString('en-US'));
const pct = (share) => (share === undefined ? '?' : `${Math.round(share * 100)}%`);
const sum = (runs, field) => runs.reduce((total, run) => total + (run[field] ?? 0), 0);
