// The markdown section for BENCHMARKS.md, in the house format: command, date, machine, setup,
// tables with the figures, each target met or missed in words, and what is broken.
import { renderHits } from './hit-report.mjs';

const TARGETS = { node: 0.6, bun: 1.0, p99Ms: 5, pollSlack: 1 };

/** Headers the proxy promises on a cached answer (issue 4, "Caching" and "Tenancy"). */
const PROXY_HEADERS = [
  ['cache-status', /./],
  ['cache-control', /private/],
  ['etag', /./],
  ['age', /^\d+$/],
  ['content-type', /json/],
  ['x-content-type-options', /nosniff/],
];

/**
 * Renders the collected figures.
 *
 * @example
 * ```js
 * process.stdout.write(renderReport(report));
 * ```
 */
export function renderReport(report) {
  const { machine: m, config: c } = report;
  const lines = [];
  const push = (...more) => lines.push(...more);
  push('## The proxy: throughput, latency, upstream calls, memory (`apps/edge`)', '');
  push(
    `Command: \`${report.command}\` (runs \`apps/edge/bench/run.mjs\`). Date: ${report.date}. ` +
      `Machine: ${m.nproc} cores (\`nproc\`, ${m.cpu}), ${m.memoryGiB} GiB, Linux ${m.kernel ?? '?'}; ` +
      `Node ${m.node}, Bun ${m.bun ?? 'n/a'}, Deno ${m.deno ?? 'n/a'}, nginx ${m.nginx ?? 'n/a'}, wrk ${m.wrk ?? 'n/a'}, autocannon ${m.autocannon ?? '?'}. Load average before the run (\`uptime\`): ${m.loadAverage ?? '?'}.`,
    '',
  );
  push(
    'Setup, all on 127.0.0.1 in one run: the upstream is the simulator (demo data, its own Node ' +
      'process, bundled with esbuild). The proxy on Node is `src/runtimes/node.ts` bundled with ' +
      'esbuild and run by `node` (no TypeScript loader); on Bun it is `bun src/runtimes/bun.ts`, on ' +
      'Deno `deno run --config deno.json src/runtimes/deno.ts`. ' +
      `Proxy mode \`${c.mode}\`${c.mode === 'passthrough' ? ' (each request carries the demo key; the proxy forwards it and keys its cache by an HMAC of it, as nginx keys by the header)' : ' (the proxy holds the key)'}` +
      ', rate limit off, logs off (except the targets marked "JSON logs on"), memory store with its defaults. ' +
      (m.nginx === undefined
        ? ''
        : 'nginx: 1 worker process (the proxy serves from one JavaScript thread, and the load ' +
          'generator needs the other core), `proxy_cache` with `proxy_cache_lock on`, ' +
          '`proxy_cache_valid 200 2s`, stale-while-revalidate (`proxy_cache_use_stale updating` + ' +
          '`proxy_cache_background_update on`), cache key with the Authorization header, keep-alive ' +
          'to the upstream and to clients, access log off. ') +
      (report.throughput.length === 0 ? '' : 'Throughput phase load: ') +
      (report.throughput.length === 0
        ? ''
        : `generated in the bench's own Node process, the same for every target: ` +
          `${c.warmupSeconds} s warm-up, then ${c.seconds} s at full load with autocannon over ` +
          `${c.connections} connections (closed loop: the most each target serves), then ${c.seconds} s at ` +
          "half of that target's full-load rate, sent evenly by the bench's paced generator " +
          `(\`bench/paced-load.mjs\`, open loop over ${c.pacedConnections} keep-alive connections, latency ` +
          "counted from when each request was due): autocannon's `overallRate` sends each second's quota in a burst at full " +
          'speed and then waits, so its "half load" latencies are those of full load.'),
    '',
  );

  if (report.hits !== undefined) push(...renderHits(report.hits));

  const rows = report.throughput.filter((row) => row.max !== undefined);
  const nginx = rows.find((row) => row.name === 'nginx');
  if (rows.length > 0) {
    push('### Cache hits for one completed document', '');
    push(
      '| target | req/s | vs nginx | p50 / p99 at full load (ms) | at half load: req/s | p50 / p99 / p99.9 (ms) | p99 vs nginx | p99 from sending / send lag p99 / generator stall p99 (ms) | CPU at full load: target / load generator / simulator / other | errors / non-200 |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    );
    for (const row of rows) {
      const isNginx = row === nginx;
      const ratio = nginx === undefined ? undefined : row.max.rps / nginx.max.rps;
      const p99Ratio =
        nginx?.half === undefined || row.half === undefined
          ? undefined
          : row.half.p99 / nginx.half.p99;
      push(
        `| ${row.name} | ${fmtInt(row.max.rps)} | ${isNginx ? '1.00' : bold(fmt(ratio, 2))} | ${row.max.p50} / ${row.max.p99} | ` +
          `${fmtInt(row.half?.rps)} | ${fmt(row.half?.p50, 2)} / ${bold(fmt(row.half?.p99, 2))} / ${fmt(row.half?.p999, 2)} | ` +
          `${isNginx ? '1.00' : fmt(p99Ratio, 2)} | ${fmt(row.half?.serviceP99, 2)} / ${fmt(row.half?.sendLagP99, 2)} / ${fmt(row.half?.generatorDelayP99, 2)} | ` +
          `${cpuText(row.max.cpu)} | ${errorsText(row.max, row.half)} |`,
      );
    }
    push('');
    push(
      "Full-load latencies are autocannon's (1 ms resolution); half-load ones are the paced " +
        "generator's, sub-millisecond, counted from when each request was due (what a client " +
        'sees, queueing included); "from sending" leaves out the time a request waited to leave ' +
        '(for the timer or a free connection: the "send lag"); "generator stall" is the p99 of the ' +
        "generator's own event-loop delay (`monitorEventLoopDelay`), which delays sending and " +
        "reading alike: where it is large, part of the tail is the generator's, not the target's. " +
        'The targets are judged on the first figure. CPU: share of one core during the full-load run (nginx: ' +
        'master + worker; load generator: the bench process; other: the rest of the machine); a ' +
        'figure near 100% marks the bottleneck. At half load the target used ' +
        rows.map((row) => `${pct(row.half?.cpu?.target)} (${row.name})`).join(', ') +
        ' and the load generator ' +
        rows.map((row) => pct(row.half?.cpu?.bench)).join(', ') +
        '.',
      '',
    );
    push(...targetLines(rows, nginx), '');
    const checks = rows.filter((row) => row.check !== undefined);
    if (checks.length > 0) {
      push('Warm response of each target (second request for the document):', '');
      for (const row of checks) push(`- ${row.name}: ${checkText(row)}`);
      push('');
    }
  }

  if (report.poll !== undefined) {
    const p = report.poll;
    const bound = p.minimum + TARGETS.pollSlack;
    const met = p.upstreamCalls <= bound;
    push(`### Upstream calls: ${fmtInt(p.clients)} clients polling one processing document`, '');
    push(
      `${fmtInt(p.clients)} keep-alive connections taking turns, ${fmtInt(p.intendedRps)} requests/s ` +
        `sent evenly (one per client every ${p.intervalMs} ms on average; the paced generator), for ` +
        `${p.seconds} s, through the ${p.runtime} ` +
        `with \`EDGE_ACTIVE_TTL_SECONDS=${p.activeTtlSeconds}\`; the document was \`${p.statusBefore}\` ` +
        `before and \`${p.statusAfter}\` after. Upstream calls are the simulator's count for that id.`,
      '',
      '| measure | result | target |',
      '|---|---:|---:|',
      `| upstream calls for the document | **${p.upstreamCalls}** | ${p.minimum} (one per ${p.activeTtlSeconds} s window; ${bound} allowing the first fill) |`,
      `| requests answered (200) | ${fmtInt(p.result.statusCodes['200'] ?? 0)} | |`,
      `| request rate achieved | ${fmtInt(p.result.rps)}/s | ${fmtInt(p.intendedRps)}/s intended |`,
      `| p50 / p99 / p99.9 latency (ms) | ${fmt(p.result.p50, 2)} / ${fmt(p.result.p99, 2)} / ${fmt(p.result.p999, 2)} | |`,
      `| errors / non-200 | ${errorsText(p.result)} | 0 |`,
      `| CPU: proxy / load generator / simulator / other processes | ${cpuText(p.cpu)} | |`,
      '',
      `${met ? '**Met**' : '**Missed**'}: ${p.upstreamCalls} upstream calls in ${fmt(p.result.seconds, 1)} s (the ${p.seconds} s of sending, plus draining what was still queued); one per ${p.activeTtlSeconds} s freshness window is ${p.minimum}, ${bound} counting the first fill.` +
        (p.result.rps < p.intendedRps * 0.95 || (p.cpu?.target ?? 0) >= 0.9
          ? ` The load reached ${fmtInt(p.result.rps)} of the intended ${fmtInt(p.intendedRps)} req/s` +
            ` (${pct(p.result.rps / p.intendedRps)}): ${saturation(p.cpu)}.`
          : ''),
      '',
    );
    if (p.metrics?.length > 0)
      push('Proxy /metrics afterwards (counters):', '', '```', ...p.metrics, '```', '');
  }

  if (report.memory !== undefined) {
    const mem = report.memory;
    const samples = mem.samples.filter((s) => s.rss !== undefined);
    const rate = mem.responses / mem.result.seconds;
    push(`### Memory: ${fmtInt(mem.responses)} distinct ids`, '');
    push(
      `Each request a new well-formed id (a cache miss: the simulator answers 404, which the proxy ` +
        `stores for 2 s, and the store keeps until it evicts it), ${mem.concurrency} in flight, through a fresh ` +
        `${mem.runtime} with the default store bounds (10,000 entries, 32 MiB). RSS of the proxy ` +
        'process from /proc as the load left it; then, in the same process (a preloaded probe, ' +
        '`--expose-gc`), a full garbage collection and `process.memoryUsage()`: the heap it retains.',
      '',
    );
    if (mem.responses < mem.target) {
      push(
        `**Not the full ${fmtInt(mem.target)} ids**: ` +
          (mem.stoppedByCap
            ? `the run stops after ${mem.maxSeconds} s (BENCH_MEMORY_MAX_SECONDS) to keep the script within a few minutes. `
            : `BENCH_MEMORY_IDS=${fmtInt(mem.requested)}. `) +
          `Every id is a miss that costs an upstream call, at ${fmtInt(rate)} ids/s here, so ` +
          `${fmtInt(mem.target)} would take about ${fmtDuration(mem.target / rate)}. ` +
          `\`BENCH_MEMORY_MAX_SECONDS=${Math.ceil((mem.target / rate) * 1.2)}\` runs them all. ` +
          `${fmtInt(mem.responses)} ids are ${fmt(mem.responses / 10_000, 1)}x the store's 10,000 entries.`,
        '',
      );
    }
    push(
      '| ids requested | elapsed (s) | RSS (MiB) | peak RSS (MiB) | after a full GC: heap used / heap total / external (MiB) | RSS after full GC (MiB) |',
      '|---:|---:|---:|---:|---:|---:|',
    );
    for (const s of samples) {
      push(
        `| ${fmtInt(s.ids)} | ${fmt(s.seconds, 1)} | ${mib(s.rss)} | ${mib(s.peak)} | ${mib(s.afterGc?.heapUsed)} / ${mib(s.afterGc?.heapTotal)} / ${mib(s.afterGc?.external)} | ${mib(s.afterGc?.rss)} |`,
      );
    }
    push(
      '',
      `Statuses: ${
        Object.entries(mem.result.statusCodes)
          .map(([s, n]) => `${s} x ${fmtInt(n)}`)
          .join(', ') || 'none'
      }; ` +
        `errors ${mem.result.errors}, timeouts ${mem.result.timeouts}; ${fmtInt(rate)} ids/s; ` +
        `CPU (proxy / load generator / simulator / other): ${cpuText(mem.cpu)}.`,
      '',
      plateau(samples),
      '',
    );
    if (mem.metrics?.length > 0)
      push('Proxy /metrics afterwards (counters):', '', '```', ...mem.metrics, '```', '');
  }

  const busy = busyRuns(report);
  if (busy.length > 0) {
    report.notes.push(
      `Other processes shared the machine during ${busy.join(', ')}: those figures are low (or their latencies high) by an unknown amount; rerun on an idle machine (\`BENCH_WAIT_IDLE_SECONDS=300\` waits for one at the start).`,
    );
  }
  if (report.notes.length > 0) push('Notes:', '', ...report.notes.map((note) => `- ${note}`), '');
  if (report.broken.length > 0) {
    push(
      '**Broken (the figures above are incomplete):**',
      '',
      ...report.broken.map((b) => `- ${oneLine(b)}`),
      '',
    );
  }
  return lines.join('\n').trimEnd();
}

function targetLines(rows, nginx) {
  const out = [];
  const find = (key) => rows.find((row) => row.name === `proxy on ${key}`);
  if (nginx === undefined) {
    out.push('No nginx figure in this run, so no ratios: the throughput targets are not assessed.');
  } else {
    for (const [key, min] of [
      ['Node', TARGETS.node],
      ['Bun', TARGETS.bun],
    ]) {
      const row = find(key);
      if (row === undefined) {
        out.push(`- ${key} >= ${min.toFixed(1)}x nginx: not measured.`);
        continue;
      }
      const ratio = row.max.rps / nginx.max.rps;
      out.push(
        `- ${key} >= ${min.toFixed(1)}x nginx req/s: ${ratio >= min ? '**met**' : '**missed**'} (${ratio.toFixed(2)}x).`,
      );
    }
  }
  for (const row of rows) {
    if ((row.max.cpu?.bench ?? 0) >= 0.9) {
      out.push(
        `- The load generator used ${pct(row.max.cpu.bench)} of a core against ${row.name}: that figure is what one autocannon process can send here, a lower bound of ${row.name}'s capacity${row.name === 'nginx' ? ', so the ratios to nginx flatter the proxy' : ''}.`,
      );
    }
  }
  for (const row of rows) {
    if (row.half === undefined) continue;
    const p99 = row.half.p99;
    out.push(
      `- p99 < ${TARGETS.p99Ms} ms at half of max load, ${row.name}: ${p99 < TARGETS.p99Ms ? '**met**' : '**missed**'} (${fmt(p99, 2)} ms at ${fmtInt(row.half.rps)} req/s).`,
    );
  }
  return out;
}

function checkText(row) {
  const { check } = row;
  const parts = [`${check.firstStatus} then ${check.status}`];
  parts.push(
    `Cache-Status \`${check.firstCacheStatus ?? '(none)'}\` then \`${check.cacheStatus ?? '(none)'}\``,
  );
  if (check.conditionalStatus !== undefined)
    parts.push(`If-None-Match -> ${check.conditionalStatus}`);
  if (row.name !== 'nginx') {
    const missing = [];
    for (const [name, pattern] of PROXY_HEADERS) {
      const value = check.headers[name];
      if (value === undefined || !pattern.test(value))
        missing.push(value === undefined ? `no ${name}` : `${name}: ${value}`);
    }
    if (!Object.keys(check.headers).some((name) => /request-id/.test(name)))
      missing.push('no request id header');
    const cc = check.headers['cache-control'];
    if (cc !== undefined) parts.push(`Cache-Control \`${cc}\``);
    if (check.headers.age !== undefined) parts.push(`Age ${check.headers.age}`);
    if (missing.length > 0) parts.push(`**unexpected: ${missing.join('; ')}**`);
  }
  if (!check.sameBody) parts.push("**body differs from the simulator's**");
  else parts.push("body equal to the simulator's");
  return parts.join(', ');
}

/**
 * Bounded = what the process retains (heap after a full GC) grows by less than 10% (or 4 MiB)
 * over the second half of the run, once the store is full. RSS is reported, not judged: V8 lets
 * garbage pile up before collecting and returns memory to the OS lazily.
 */
function plateau(samples) {
  const withHeap = samples.filter((s) => s.afterGc !== undefined);
  if (withHeap.length < 3) return 'Too few samples to say whether memory plateaus.';
  const first = withHeap[0];
  const mid = withHeap[Math.floor((withHeap.length - 1) / 2)];
  const last = withHeap.at(-1);
  const growth = last.afterGc.heapUsed - mid.afterGc.heapUsed;
  const flat = growth <= Math.max(0.1 * mid.afterGc.heapUsed, 4 * 2 ** 20);
  const sign = growth >= 0 ? '+' : '';
  return (
    `${flat ? '**Bounded (met)**' : '**Still growing (missed)**'}: the heap retained after a full GC went from ` +
    `${mib(first.afterGc.heapUsed)} MiB at the start to ${mib(mid.afterGc.heapUsed)} MiB after ${fmtInt(mid.ids)} ids ` +
    `and ${mib(last.afterGc.heapUsed)} MiB after ${fmtInt(last.ids)} (${sign}${mib(growth)} MiB over the second half). ` +
    `RSS: ${mib(first.rss)} MiB at the start, ${mib(Math.max(...samples.map((s) => s.rss)))} MiB at most, ` +
    `${mib(samples.at(-1).rss)} MiB at the end (peak ${mib(samples.at(-1).peak)} MiB).`
  );
}

/** The runs during which other processes used more than 15% of a core. */
function busyRuns(report) {
  const runs = [];
  const share = (cpu) => cpu?.other ?? 0;
  for (const row of report.throughput) {
    if (share(row.max?.cpu) > 0.15)
      runs.push(`the full-load run of ${row.name} (${pct(row.max.cpu.other)} of a core)`);
    if (share(row.half?.cpu) > 0.15)
      runs.push(`the half-load run of ${row.name} (${pct(row.half.cpu.other)})`);
  }
  if (share(report.poll?.cpu) > 0.15) runs.push(`the polling run (${pct(report.poll.cpu.other)})`);
  if (share(report.memory?.cpu) > 0.15)
    runs.push(`the memory run (${pct(report.memory.cpu.other)})`);
  return runs;
}

function saturation(cpu) {
  if ((cpu?.target ?? 0) >= 0.9) {
    return `the proxy was saturated (${pct(cpu.target)} of a core; above 100% when Node's thread pool works too, e.g. for WebCrypto), so the latencies are those of an overloaded proxy`;
  }
  if ((cpu?.bench ?? 0) >= 0.9)
    return `the load generator was saturated (${pct(cpu.bench)} of a core)`;
  return 'neither the proxy nor the load generator used a full core';
}

function cpuText(cpu) {
  if (cpu === undefined) return 'n/a';
  const text = [cpu.target, cpu.bench, cpu.simulator, cpu.other].map(pct).join(' / ');
  // Time the hypervisor gave to other guests: noise no process here caused.
  return (cpu.steal ?? 0) > 0.02 ? `${text} (steal ${pct(cpu.steal)})` : text;
}

function errorsText(...results) {
  const parts = [];
  for (const r of results) {
    if (r === undefined) continue;
    const unexpected = Object.entries(r.unexpected ?? {}).map(([s, n]) => `${n} x ${s}`);
    const bits = [];
    if (r.errors > 0) bits.push(`${r.errors} errors`);
    if (r.timeouts > 0) bits.push(`${r.timeouts} timeouts`);
    bits.push(...unexpected);
    parts.push(bits.length === 0 ? '0' : bits.join(', '));
  }
  return parts.join(' / ');
}

const fmt = (n, digits) => (n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(digits));
const fmtInt = (n) =>
  n === undefined || Number.isNaN(n) ? 'n/a' : Math.round(n).toLocaleString('en-US');
const pct = (n) => (n === undefined || Number.isNaN(n) ? 'n/a' : `${Math.round(n * 100)}%`);
const mib = (bytes) => (bytes === undefined ? '?' : (bytes / 2 ** 20).toFixed(1));
const fmtDuration = (seconds) =>
  seconds >= 5400
    ? `${(seconds / 3600).toFixed(1)} h`
    : seconds >= 120
      ? `${Math.round(seconds / 60)} min`
      : `${Math.round(seconds)} s`;
const bold = (text) => `**${text}**`;
const oneLine = (text) => String(text).split('\n').slice(0, 6).join(' / ');
