// The markdown section of the fleet benchmark for BENCHMARKS.md: command, date, machine and its
// load, the tables, and each target met or missed in words.

/** Issue 10's targets: 3 instances with Redis call upstream as often as 1; hits >= 0.9x. */
const TARGETS = { pollSlack: 0, eventSlack: 1, hitRatio: 0.9 };

const percent = (share) => (share === undefined ? 'n/a' : `${Math.round(share * 100)}%`);
const setupName = ({ count, withRedis }) =>
  `${count} instance${count === 1 ? '' : 's'}, ${withRedis ? 'Redis' : 'no Redis'}`;

/**
 * Renders the collected figures.
 *
 * @example
 * ```js
 * process.stdout.write(renderFleetReport(report));
 * ```
 */
export function renderFleetReport(report) {
  const { machine: m, config: c } = report;
  const lines = [];
  lines.push('## Fleet mode: upstream calls and cache hits over Redis (`apps/edge`)', '');
  lines.push(
    `Command: \`${report.command}\` (runs \`apps/edge/bench/fleet.mjs\`). Date: ${report.date}. ` +
      `Machine: ${m.nproc} cores (${m.cpu}), Node ${m.node}, redis-server ${m.redis ?? '?'}` +
      `${report.hits?.wrk ? `, wrk ${report.hits.wrk}` : ''}. Load average before the run: ` +
      `${m.loadBefore.map((value) => value.toFixed(2)).join(' / ')} (1/5/15 min); other processes used ` +
      `${percent(m.otherBefore)} of a core in the second before it.`,
    '',
    "Setup, all on 127.0.0.1 in one run: the simulator (its own Node process), the bench's own " +
      "`redis-server` (free port, `--save '' --appendonly no`), and proxy processes on Node " +
      '(`src/runtimes/node.ts` bundled with esbuild), `passthrough` mode (each client sends the ' +
      'demo key), rate limit off, logs off, default freshness (2 s for `processing`). "Redis" means ' +
      'every instance has `EDGE_REDIS_URL` set (fleet mode); "no Redis" means each runs on its own. ' +
      'Every process is stopped by its pid at the end.',
    '',
  );
  renderPolling(report, lines, c);
  renderEvents(report, lines, c);
  renderHits(report, lines, c);
  if (report.notes.length > 0)
    lines.push('Notes:', '', ...report.notes.map((note) => `- ${note}`), '');
  if (report.broken.length > 0) {
    lines.push('**Broken:**', '', ...report.broken.map((problem) => `- ${problem}`), '');
  }
  return lines.join('\n').trimEnd();
}

function renderPolling(report, lines, c) {
  if (report.poll.length === 0) return;
  lines.push(
    `### Upstream calls: ${c.pollClients} clients polling one processing document every ${c.pollIntervalMs} ms for ${c.pollSeconds} s`,
    '',
    `The clients are keep-alive connections of the bench's paced generator (\`bench/paced-load.mjs\`), ` +
      'split evenly over the instances; "2 s windows" is the load\'s duration over the 2 s freshness, rounded up: ' +
      'about the fewest calls a cache with that freshness can make.',
    '',
    '| setup | upstream calls | 2 s windows | requests answered | req/s (offered) | p99 | not 200 | CPU: proxies / simulator / redis / other |',
    '|---|---:|---:|---:|---:|---:|---|---|',
  );
  for (const row of report.poll) {
    const proxies = Object.entries(row.cpu)
      .filter(([name]) => name.startsWith('proxy'))
      .reduce((sum, [, share]) => sum + (share ?? 0), 0);
    const unexpected = Object.entries(row.unexpected).filter(([, count]) => count > 0);
    lines.push(
      `| ${setupName(row)} | **${row.calls}** | ${row.minimum} | ${row.requests} | ${Math.round(row.rps)} (${row.offeredRps}) | ${row.p99?.toFixed(1)} ms | ${unexpected.length === 0 ? 'none' : unexpected.map(([k, v]) => `${k}: ${v}`).join(', ')} | ${percent(proxies)} / ${percent(row.cpu.simulator)} / ${percent(row.cpu.redis)} / ${percent(row.cpu.other)} |`,
    );
  }
  lines.push('');
  const one = report.poll.find((row) => row.count === 1 && !row.withRedis);
  const fleet = report.poll.find((row) => row.count === 3 && row.withRedis);
  const apart = report.poll.find((row) => row.count === 3 && !row.withRedis);
  if (one !== undefined && fleet !== undefined) {
    const met = fleet.calls <= one.calls + TARGETS.pollSlack;
    lines.push(
      `Target (3 instances with Redis make as many upstream calls as 1 instance): **${met ? 'met' : 'missed'}**, ` +
        `${fleet.calls} against ${one.calls} (${(fleet.calls / one.calls).toFixed(2)}x)` +
        (apart === undefined
          ? '.'
          : `; without Redis the 3 instances made ${apart.calls} (${(apart.calls / one.calls).toFixed(2)}x).`),
      '',
    );
  }
}

function renderEvents(report, lines, c) {
  if (report.events.length === 0) return;
  lines.push(
    `### Upstream calls: ${c.eventClients} event-stream subscribers of one document`,
    '',
    `Each setup gets its own document with the same timeline (pending ${c.eventPendingMs} ms, then ` +
      `processing ${c.eventProcessingMs} ms, then completed); the subscribers are split evenly over ` +
      'the instances and read their streams to `end`. "Complete" counts subscribers that got every ' +
      'change once (distinct event ids), the last one `completed`, then `end`.',
    '',
    '| setup | upstream calls | subscribers complete | statuses seen | stream time |',
    '|---|---:|---:|---|---:|',
  );
  for (const row of report.events) {
    lines.push(
      `| ${setupName(row)} | **${row.calls}** | ${row.complete} / ${row.clients} | ${row.statusesPerClient.join('; ')} | ${row.seconds.toFixed(1)} s |`,
    );
    for (const why of row.failures) lines.push(`|  | failure: ${why} | | | |`);
  }
  lines.push('');
  const one = report.events.find((row) => row.count === 1);
  const fleet = report.events.find((row) => row.count === 3 && row.withRedis);
  if (one !== undefined && fleet !== undefined) {
    const met = fleet.calls <= one.calls + TARGETS.eventSlack && fleet.complete === fleet.clients;
    lines.push(
      `Target (3 instances with Redis: one poll loop's calls, at most one more than a single instance, every subscriber complete): ` +
        `**${met ? 'met' : 'missed'}**, ${fleet.calls} calls against ${one.calls}, ${fleet.complete} of ${fleet.clients} complete.`,
      '',
    );
  }
}

function renderHits(report, lines, c) {
  if (report.hits === undefined) return;
  const { rows, pinned } = report.hits;
  lines.push(
    '### Cache-hit throughput on one instance: fleet store against memory store',
    '',
    `One completed document (fresh for 24 h), \`wrk -t1 -c${c.connections}\`, ${c.warmupSeconds} s warm-up then ` +
      `${c.hitSeconds} s per round, ${c.hitRounds} rounds alternating between the two proxies (both ` +
      `running throughout)${pinned ? ', each proxy pinned to core 0 and wrk to core 1 with `taskset`' : ', not pinned (no taskset)'}; ` +
      'the simulator and redis-server are not pinned. "Redis commands" is the server\'s ' +
      '`total_commands_processed` difference over the measured seconds.',
    '',
    '| store | round | req/s | p99 | non-2xx | proxy CPU | Redis commands | other CPU |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const row of rows) {
    row.runs.forEach((run, index) => {
      lines.push(
        `| ${row.name} | ${index + 1} | ${Math.round(run.rps)} | ${run.p99Ms} ms | ${run.non2xx} | ${percent(run.cpu.proxy)} | ${run.redisCommands} | ${percent(run.cpu.other)} |`,
      );
    });
  }
  lines.push(
    '',
    `Each proxy's second request before the load answered ${rows.map((row) => `${row.check.status} \`Cache-Status: ${row.check.cacheStatus}\` (${row.name})`).join(', ')}.`,
    '',
  );
  const [memory, fleet] = rows;
  const best = (row) => Math.max(...row.runs.map((run) => run.rps));
  const mean = (row) => row.runs.reduce((sum, run) => sum + run.rps, 0) / row.runs.length;
  const ratios = fleet.runs.map((run, index) => run.rps / memory.runs[index].rps);
  const ratio = mean(fleet) / mean(memory);
  lines.push(
    `Fleet store / memory store: **${ratio.toFixed(2)}x** on the mean of the rounds ` +
      `(per round: ${ratios.map((r) => `${r.toFixed(2)}x`).join(', ')}; best against best ` +
      `${(best(fleet) / best(memory)).toFixed(2)}x). Target (at least ${TARGETS.hitRatio}x): ` +
      `**${ratio >= TARGETS.hitRatio ? 'met' : 'missed'}**.`,
    '',
  );
}
